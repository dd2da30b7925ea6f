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

/** The arguments without `--data-dir DIR` / `--data-dir=DIR` (those after `--` are left alone). */
function withoutDataDir(args) {
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  const kept = [];
  for (let index = 0; index < end; index += 1) {
    if (args[index] === '--data-dir') index += 1;
    else if (!args[index].startsWith('--data-dir=')) kept.push(args[index]);
  }
  return [...kept, ...args.slice(end)];
}

const { chooseLaunchMode, findElectronBinary } = await import('../core/dist/node/launch-mode.js');
const { dataDirFromArgs } = await import('../core/dist/node/paths.js');
// npm runs scripts from the repository root: a relative --data-dir means the folder the user was in.
const dataDir = dataDirFromArgs(process.argv.slice(2), process.env, process.env.INIT_CWD ?? process.cwd());
const args = ['--data-dir', dataDir, ...withoutDataDir(process.argv.slice(2))];
// The default is the OS app-data folder, out of sight: say where the data is.
console.log(`Cairn data dir: ${dataDir}`);
const launch = chooseLaunchMode({ binary: findElectronBinary(), platform: process.platform, env: process.env });
if (launch.mode === 'electron') {
  runApp(launch.binary, [fileURLToPath(new URL('../core/dist/electron-main/main.js', import.meta.url)), ...args]);
} else {
  console.log(`Starting in browser mode: ${launch.reason}.`);
  runApp(process.execPath, [fileURLToPath(new URL('../core/bin/cairn.js', import.meta.url)), 'serve', ...args]);
}
