// How long the shell takes to come up: `cairn plugins list` as a process, and the host starting
// and activating plugins in-process, against a bare `node` start measured in the same run.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnHost } from '@cairn/core';
import { median, report, time } from './lib.mjs';

const cairn = fileURLToPath(new URL('../core/bin/cairn.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);

async function writePlugins(dir, count) {
  for (let index = 0; index < count; index += 1) {
    const id = `bench-${String(index).padStart(3, '0')}`;
    await mkdir(join(dir, id), { recursive: true });
    const cairnField = { id, displayName: id, engine: '^0.1.0', main: './index.js', activationEvents: ['onStartup'],
      dependsOn: index > 0 ? [`bench-${String(index - 1).padStart(3, '0')}`] : [],
      contributes: { commands: [{ id: `${id}.run`, title: 'Run' }] } };
    await writeFile(join(dir, id, 'package.json'), JSON.stringify({ name: id, version: '1.0.0', type: 'module', cairn: cairnField }));
    await writeFile(join(dir, id, 'index.js'), `export function activate(ctx) { ctx.commands.register('${id}.run', () => ${index}); }\n`);
  }
}

const work = await mkdtemp(join(tmpdir(), 'cairn-bench-'));
try {
  const builtins = join(work, 'builtins');
  await writePlugins(builtins, 50);
  const dataDir = join(work, 'data');

  const processRun = (args) => () => {
    const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr);
  };
  const bareNode = await time(runs, processRun(['-e', '0']));
  const list = await time(runs, processRun([cairn, '--data-dir', dataDir, 'plugins', 'list', '--json']));

  const hostStart = await time(runs, async () => {
    const host = new CairnHost({ dataDir, builtinPluginsDir: builtins });
    await host.start();
    await host.plugins.activateStartup();
    await host.dispose();
  });

  report('shell start-up', [
    { what: 'node -e 0 (baseline)', median: median(bareNode) },
    { what: 'cairn plugins list (process)', median: median(list), baseline: median(bareNode) },
    { what: 'host start + activate 50 chained plugins (in-process)', median: median(hostStart) },
  ]);
} finally {
  await rm(work, { recursive: true, force: true });
}
