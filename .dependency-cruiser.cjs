/**
 * The layering rules of DESIGN §1, checked by `npm run lint` and by `npm test`
 * (test/lint.test.ts, which also proves against fixtures that each rule fires).
 *
 * Inside every package (sdk, core, each plugin):
 *   common        → nothing of node/, browser/, electron-main/, and no Node built-ins
 *   browser       → common only (no node/, no electron-main/, no Node built-ins)
 *   node          → common (not browser/, not electron-main/)
 *   electron-main → node and common (not browser/)
 * Plugins (and the example plugins) import `@cairn/sdk` and their own files only: never the core,
 * never another plugin, never the SDK's sources by a relative path. Their tests may also import
 * the test host, `@cairn/core/testing`, and nothing else of the core.
 * No module depends on itself through others, not even through a type-only import.
 */
const pkg = '^(sdk|core|plugins/[^/]+)';
/** The core, as a package or by its sources. */
const core = '(^|/)node_modules/@cairn/core/|^core/';
/** `@cairn/core/testing`, the test host, whichever file it resolves to. */
const coreTesting = '(^|/)node_modules/@cairn/core/dist/node/testing\\.(js|d\\.ts)$|^core/(src/node/testing\\.ts|dist/node/testing\\.(js|d\\.ts))$';
/** The tests of a plugin or an example plugin. */
const pluginTests = '^(plugins|examples)/[^/]+/test/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'common-imports-only-common',
      comment: 'src/common is shared by every side; it may not import node/, browser/ or electron-main/ code.',
      severity: 'error',
      from: { path: `${pkg}/src/common/` },
      to: { path: '^$1/src/(node|browser|electron-main)/' },
    },
    {
      name: 'common-no-node-builtins',
      comment: 'src/common runs in the browser too; Node built-ins belong in src/node.',
      severity: 'error',
      from: { path: `${pkg}/src/common/` },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'browser-not-node',
      comment: 'src/browser runs in the renderer; it reaches the host through RPC, not imports.',
      severity: 'error',
      from: { path: `${pkg}/src/browser/` },
      to: { path: '^$1/src/(node|electron-main)/' },
    },
    {
      name: 'browser-no-node-builtins',
      comment: 'src/browser runs in a sandboxed renderer or a browser tab: no Node built-ins.',
      severity: 'error',
      from: { path: `${pkg}/src/browser/` },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'node-not-browser',
      comment: 'src/node is the host; UI code lives in src/browser.',
      severity: 'error',
      from: { path: `${pkg}/src/node/` },
      to: { path: '^$1/src/(browser|electron-main)/' },
    },
    {
      name: 'electron-main-not-browser',
      comment: 'src/electron-main imports node/ and common/ only.',
      severity: 'error',
      from: { path: `${pkg}/src/electron-main/` },
      to: { path: '^$1/src/browser/' },
    },
    {
      name: 'plugins-not-core',
      comment: 'Plugins use the public SDK (@cairn/sdk), never the core.',
      severity: 'error',
      from: { path: '^(plugins|examples)/[^/]+/', pathNot: pluginTests },
      to: { path: core },
    },
    {
      // The one allowance of the rule above, written out: a plugin's tests start the test host,
      // and the test host is the host, so it comes from the host package (`@cairn/core/testing`)
      // and not from the SDK, which does not depend on the host. Nothing else of the core.
      name: 'plugins-not-core',
      comment: "A plugin's tests may import @cairn/core/testing (the test host) and nothing else of the core.",
      severity: 'error',
      from: { path: pluginTests },
      to: { path: core, pathNot: coreTesting },
    },
    {
      name: 'plugins-sdk-by-package-name',
      comment: 'Plugins import the SDK as @cairn/sdk, not by a relative path into its folder.',
      severity: 'error',
      from: { path: '^(plugins|examples)/[^/]+/' },
      to: { path: '^sdk/' },
    },
    {
      name: 'plugins-not-other-plugins',
      comment: 'A plugin imports only its own files; plugins talk through commands and the SDK.',
      severity: 'error',
      from: { path: '^plugins/([^/]+)/' },
      to: { path: '^plugins/', pathNot: '^plugins/$1/' },
    },
    {
      name: 'sdk-not-core',
      comment: 'The SDK is the contract; it may not depend on the host that implements it.',
      severity: 'error',
      from: { path: '^sdk/' },
      to: { path: core },
    },
    {
      name: 'no-circular',
      comment:
        'Modules that import each other (a type-only import counts) can only be read, tested and loaded together; move what both need into a module of its own, or pass it in.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import that does not resolve is a broken build waiting to happen.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    preserveSymlinks: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(sdk|core|plugins/[^/]+|test)/(dist|dist-test)/|^test/fixtures/' },
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
  },
};
