import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { Project } from '@cairn/core/node/project/project.js';
import { Devices, quietLog } from './helpers.js';

/** Writes batches of observations forever, printing each batch's ids once the write is acknowledged. */
const writerScript = `
import { Project } from ${JSON.stringify(import.meta.resolve('@cairn/core/node/project/project.js'))};
const log = { debug() {}, info() {}, warn() {}, error() {} };
const project = await Project.open(process.argv[2], log);
process.stdout.write('ready\\n');
for (let batch = 0; ; batch += 1) {
  const size = 1 + (batch % 40);
  const written = await project.createObservations(
    Array.from({ length: size }, (_, i) => ({ lat: (batch % 170) - 85, lon: i, notes: 'batch ' + batch + ' item ' + i })),
  );
  process.stdout.write(JSON.stringify(written.map((o) => o.id)) + '\\n');
}
`;

describe('crash safety', function () {
  this.timeout(120_000);
  const devices = new Devices();
  afterEach(() => devices.cleanup());

  it('keeps every acknowledged write when the writer is killed -9 mid-batch, and opens again', async () => {
    const dataDir = await devices.dir();
    const created = await Project.create(dataDir, { name: 'Crash' }, quietLog);
    await created.close();
    const script = join(await devices.dir(), 'writer.mjs');
    await writeFile(script, writerScript);

    const acknowledged = new Set<string>();
    for (let round = 0; round < 5; round += 1) {
      const child = spawn(process.execPath, [script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let buffer = '';
      let batches = 0;
      const killAfter = 3 + Math.floor(Math.random() * 40);
      await new Promise<void>((resolve) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          buffer += chunk;
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          for (const line of lines) {
            if (line === 'ready') continue;
            for (const id of JSON.parse(line) as string[]) acknowledged.add(id);
            batches += 1;
            // Killed at once, in the middle of whatever write comes next.
            if (batches === killAfter) child.kill('SIGKILL');
          }
        });
        child.on('exit', () => resolve());
      });
      const reopened = await Project.open(dataDir, quietLog);
      expect(reopened, `round ${round}: the store opens`).to.not.equal(null);
      const present = new Set(reopened!.queryObservations().map((observation) => observation.id));
      const lost = [...acknowledged].filter((id) => !present.has(id));
      expect(lost, `round ${round}: acknowledged writes lost`).to.deep.equal([]);
      // A write after the crash works, and the next round appends on top of it.
      await reopened!.createObservations([{ lat: 0, lon: 0, notes: `after crash ${round}` }]);
      await reopened!.close();
    }
    expect(acknowledged.size).to.be.greaterThan(50);
  });
});
