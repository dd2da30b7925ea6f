#!/usr/bin/env node
// `npm start`: build, then open Cairn — the desktop app when the Electron binary is available,
// else (saying why, in one line) browser mode: `cairn serve`, which prints its URL and opens the
// default browser when there is one. Extra arguments go to Cairn (e.g. `npm start -- --data-dir d`).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const node = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (node([require.resolve('typescript/bin/tsc'), '-b']) !== 0) process.exit(1);
if (node([fileURLToPath(new URL('./bundle.mjs', import.meta.url))]) !== 0) process.exit(1);

/** Runs the app in a child process, passing on Ctrl+C and termination so that it closes cleanly. */
function runApp(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const { chooseLaunchMode, findElectronBinary } = await import('../core/dist/node/launch-mode.js');
const args = process.argv.slice(2);
const launch = chooseLaunchMode({ binary: findElectronBinary(), platform: process.platform, env: process.env });
if (launch.mode === 'electron') {
  runApp(launch.binary, [fileURLToPath(new URL('../core/dist/electron-main/main.js', import.meta.url)), ...args]);
} else {
  console.log(`Starting in browser mode: ${launch.reason}.`);
  runApp(process.execPath, [fileURLToPath(new URL('../core/bin/cairn.js', import.meta.url)), 'serve', ...args]);
}
