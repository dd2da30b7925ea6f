#!/usr/bin/env node
// `npm test`: install what the suites need from Debian's packages (as root, when missing), build
// (which type-checks every package and test, and bundles the workbench), then run every suite
// with mocha. Lint, including the layering rules, runs inside the suites (test/lint.test.ts).
// The output always ends with the line CI reads: `tests: N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

function fail(message) {
  process.stdout.write(`\n${message}\ntests: 0 passed, 1 failed\n`);
  process.exit(1);
}

/**
 * Debian packages the suites run for real: Chromium for the workbench's end-to-end tests, iproute2
 * for the LAN made of network namespaces that Wi-Fi sync is tested on, iptables for the NAT
 * routers of the stand-in internet, GDAL to read the exports back as a GIS would.
 */
const systemPackages = [
  { name: 'chromium', file: '/usr/bin/chromium' },
  { name: 'iproute2', file: '/usr/sbin/ip' },
  { name: 'iptables', file: '/usr/sbin/iptables' },
  { name: 'gdal-bin', file: '/usr/bin/ogrinfo' },
];
const missing = systemPackages.filter((pkg) => !existsSync(pkg.file));
if (missing.length > 0) {
  const names = missing.map((pkg) => pkg.name).join(' ');
  if (process.getuid?.() !== 0) fail(`Missing system packages: ${names}. Install them (e.g. \`sudo apt-get install ${names}\`) and run npm test again.`);
  process.stdout.write(`Installing ${names} from Debian's packages…\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing.map((pkg) => pkg.name)], { stdio: 'inherit', env });
  if (update.status !== 0 || install.status !== 0 || missing.some((pkg) => !existsSync(pkg.file))) fail(`Could not install ${names} with apt-get.`);
}

const typescript = require.resolve('typescript/bin/tsc');
const build = await run(typescript, ['-b']);
if (build.code !== 0) fail('The build (type check) failed; no suite was run.');
const bundle = await run(fileURLToPath(new URL('./bundle.mjs', import.meta.url)), []);
if (bundle.code !== 0) fail('Bundling the workbench failed; no suite was run.');

const mocha = require.resolve('mocha/bin/mocha.js');
const suites = await run(mocha, process.argv.slice(2));
if (!summary.test(suites.tail)) {
  // mocha died before its reporter could summarise (a syntax error in a suite, say).
  process.stdout.write(`\nThe test run ended without a summary (exit code ${suites.code}).\ntests: 0 passed, 1 failed\n`);
  process.exit(suites.code || 1);
}
process.exit(suites.code);
