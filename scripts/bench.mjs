#!/usr/bin/env node
// `npm run bench`: build, then run every bench/*.bench.mjs in its own process, one after another
// (the machine is shared; running them side by side would skew every figure).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const only = process.argv.slice(2);
const node = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (node([require.resolve('typescript/bin/tsc'), '-b']) !== 0) process.exit(1);
if (node([fileURLToPath(new URL('./bundle.mjs', import.meta.url))]) !== 0) process.exit(1);
const benches = readdirSync(new URL('../bench', import.meta.url))
  .filter((file) => file.endsWith('.bench.mjs'))
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort();
let failed = 0;
for (const bench of benches) {
  if (node([fileURLToPath(new URL(`../bench/${bench}`, import.meta.url))]) !== 0) failed += 1;
}
process.exit(failed ? 1 : 0);
