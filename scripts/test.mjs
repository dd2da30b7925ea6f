#!/usr/bin/env node
// `npm test`: build (which type-checks every package and test), then run every suite with mocha.
// Lint, including the layering rules, runs inside the suites (test/lint.test.ts).
// The output always ends with the line CI reads: `tests: N passed, N failed`.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const summary = /^tests: \d+ passed, \d+ failed$/m;

/** Runs a node script, echoing its output; resolves with its exit code and the tail of stdout. */
function run(script, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-500);
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), tail }));
  });
}

const typescript = require.resolve('typescript/bin/tsc');
const build = await run(typescript, ['-b']);
if (build.code !== 0) {
  process.stdout.write('\nThe build (type check) failed; no suite was run.\ntests: 0 passed, 1 failed\n');
  process.exit(1);
}

const mocha = require.resolve('mocha/bin/mocha.js');
const suites = await run(mocha, process.argv.slice(2));
if (!summary.test(suites.tail)) {
  // mocha died before its reporter could summarise (a syntax error in a suite, say).
  process.stdout.write(`\nThe test run ended without a summary (exit code ${suites.code}).\ntests: 0 passed, 1 failed\n`);
  process.exit(suites.code || 1);
}
process.exit(suites.code);
