#!/usr/bin/env node
// `npm start`: build, then start Cairn. Until the workbench UI lands, that is the CLI's help and
// the plugins of the data dir.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const node = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

const built = node([require.resolve('typescript/bin/tsc'), '-b']);
if (built !== 0) process.exit(built);
const cairn = fileURLToPath(new URL('../core/bin/cairn.js', import.meta.url));
const help = node([cairn, '--help', ...process.argv.slice(2)]);
if (help !== 0) process.exit(help);
process.stdout.write('\n');
process.exit(node([cairn, 'plugins', 'list', ...process.argv.slice(2)]));
