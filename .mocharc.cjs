'use strict';
// Every package's compiled tests, the cross-package suites and the example plugins' own tests.
// Folders that do not exist (yet) are left out, so mocha does not warn about them.
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const packageDirs = (parent) =>
  existsSync(parent) ? readdirSync(parent).filter((name) => !name.startsWith('.')).map((name) => join(parent, name)) : [];

const spec = [
  'sdk/dist-test',
  'core/dist-test',
  ...packageDirs('plugins').map((dir) => join(dir, 'dist-test')),
  'test/dist',
  ...packageDirs('examples').map((dir) => join(dir, 'test')),
]
  .filter((dir) => existsSync(dir))
  .map((dir) => `${dir}/**/*.test.js`);

module.exports = {
  spec,
  reporter: './scripts/mocha-summary-reporter.cjs',
  timeout: 30000,
  slow: 2000,
  'enable-source-maps': true,
};
