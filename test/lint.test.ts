import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect } from 'chai';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { ESLint } from 'eslint';
import { fixtures, repoRoot } from './helpers.js';

const require = createRequire(import.meta.url);
const layering = require(join(repoRoot, '.dependency-cruiser.cjs')) as IConfiguration;

async function layeringViolations(baseDir: string, roots: string[]): Promise<string[]> {
  const { output } = await cruise(roots, {
    ...layering.options,
    ruleSet: { forbidden: layering.forbidden },
    validate: true,
    baseDir,
  });
  return (output as ICruiseResult).summary.violations.map((violation) => `${violation.rule.name}: ${violation.from}`);
}

describe('lint', function () {
  // Parsing the whole tree takes a few seconds on a busy machine.
  this.timeout(120_000);

  it('the tree passes ESLint', async () => {
    const eslint = new ESLint({ cwd: repoRoot });
    const results = await eslint.lintFiles(['.']);
    const problems = results.filter((result) => result.errorCount > 0 || result.warningCount > 0);
    const formatted = problems.length ? String(await (await eslint.loadFormatter('stylish')).format(problems)) : '';
    expect(formatted).to.equal('');
  });

  it('the tree obeys the layering rules', async () => {
    expect(await layeringViolations(repoRoot, ['sdk', 'core', 'plugins', 'examples'].filter((dir) => existsSync(join(repoRoot, dir))))).to.deep.equal([]);
  });

  it('each layering rule fires where it is broken, and nowhere else', async () => {
    const violations = await layeringViolations(join(fixtures, 'layering'), ['core', 'sdk', 'plugins']);
    expect(violations.sort()).to.deep.equal(
      [
        'common-imports-only-common: core/src/common/imports-node.ts',
        'common-no-node-builtins: core/src/common/imports-builtin.ts',
        'browser-not-node: core/src/browser/imports-node.ts',
        'browser-no-node-builtins: core/src/browser/imports-builtin.ts',
        'node-not-browser: core/src/node/imports-browser.ts',
        'electron-main-not-browser: core/src/electron-main/imports-browser.ts',
        'plugins-not-core: plugins/demo/src/node/imports-core.ts',
        'plugins-not-core: plugins/demo/src/node/imports-core-package.ts',
        // The test host is for tests: a plugin's own code may not import it...
        'plugins-not-core: plugins/demo/src/node/imports-core-testing.ts',
        // ...and its tests may import it (test/ok.ts) but nothing else of the core.
        'plugins-not-core: plugins/demo/test/imports-core-package.ts',
        'plugins-sdk-by-package-name: plugins/demo/src/node/imports-sdk-source.ts',
        'plugins-not-other-plugins: plugins/demo/src/node/imports-other-plugin.ts',
        'sdk-not-core: sdk/src/node/imports-core.ts',
        'no-unresolvable: plugins/demo/src/node/imports-missing.ts',
        // Once for the circle, from the side of its type-only edge: without that edge there is none.
        'no-circular: core/src/node/circle/imports-plugins.ts',
      ].sort(),
    );
  });

  it('src/common may not use the globals of one side', async () => {
    const eslint = new ESLint({ cwd: repoRoot });
    const code = 'export const home = process.env.HOME;\nexport const bytes = Buffer.from("x");\n';
    const [common] = await eslint.lintText(code, { filePath: join(repoRoot, 'core/src/common/uses-globals.ts') });
    expect(common!.messages.map((message) => message.ruleId)).to.deep.equal(['no-restricted-globals', 'no-restricted-globals']);
    const [node] = await eslint.lintText(code, { filePath: join(repoRoot, 'core/src/node/uses-globals.ts') });
    expect(node!.messages).to.deep.equal([]);
  });
});

