import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { startCairn } from '@cairn/core/testing';
import { cairn, cairnJson, device, TempDirs } from './helpers.js';

/** Starts `cairn sync file` and kills it with SIGKILL after `delayMs` (unless it ends first). */
async function killMidway(dataDir: string, file: string, delayMs: number): Promise<'killed' | 'finished'> {
  const { child, done } = await startCairn(['--data-dir', dataDir, 'sync', 'file', file]);
  const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
  const { signal } = await done;
  clearTimeout(timer);
  return signal === 'SIGKILL' ? 'killed' : 'finished';
}

describe('sync with a file, killed at random points', function () {
  this.timeout(600_000);
  const temp = new TempDirs();
  after(() => temp.cleanup());

  it('loses nothing and damages nothing: 20 kill -9s, each followed by a retry', async () => {
    const a = await temp.make();
    const b = await temp.make();
    const key = await device(a, 'a');
    await device(b, 'b', key);
    const usb = await temp.make('cairn-usb-');
    const file = join(usb, 'crash.cairnsync');
    for (let index = 0; index < 6; index += 1) {
      const photo = join(usb, `photo-${index}.jpg`);
      await writeFile(photo, randomBytes(250_000));
      await cairnJson(a, 'obs', 'add', '--lat', '1', '--lon', String(index), '--photo', photo);
    }
    await cairnJson(a, 'run', 'cairn.project.loadSampleData', '2000');
    await cairnJson(b, 'run', 'cairn.project.loadSampleData', '1000');

    // Kills land at random points of a whole run, so the window follows how long an
    // uninterrupted sync takes on this machine (the retries measure it as they go).
    const runTimes: number[] = [];
    const timedSync = async (dataDir: string, label: string) => {
      const started = Date.now();
      const run = await cairn(dataDir, ['sync', 'file', file, '--json']);
      expect(run.code, `${label} (${run.stderr})`).to.equal(0);
      runTimes.push(Date.now() - started);
    };
    await timedSync(a, 'the first sync works');
    await timedSync(b, 'the second sync works');
    let killed = 0;
    for (let round = 0; round < 20; round += 1) {
      const dataDir = round % 2 === 0 ? a : b;
      // Something new to carry each time, so every kill can land in the middle of real work.
      await cairnJson(dataDir, 'run', 'cairn.project.loadSampleData', '150');
      const shortest = Math.min(...runTimes);
      const outcome = await killMidway(dataDir, file, 50 + Math.floor(Math.random() * shortest * 0.85));
      if (outcome === 'killed') killed += 1;
      await timedSync(dataDir, `round ${round}: the retry works`);
    }
    expect(killed, 'most rounds were interrupted').to.be.greaterThan(10);

    // Both devices meet the file once more; then they hold the same, complete data.
    await cairnJson(a, 'sync', 'file', file);
    await cairnJson(b, 'sync', 'file', file);
    await cairnJson(a, 'sync', 'file', file);
    const countA = (await cairnJson<{ observations: number }>(a, 'project')).observations;
    const countB = (await cairnJson<{ observations: number }>(b, 'project')).observations;
    expect(countA).to.equal(6 + 2000 + 1000 + 20 * 150);
    expect(countB).to.equal(countA);
    // No half-written file is left beside the sync file.
    expect((await readdir(usb)).filter((name) => name.includes('crash.cairnsync'))).to.deep.equal(['crash.cairnsync']);
  });
});
