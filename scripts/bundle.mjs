#!/usr/bin/env node
// Bundles the workbench for the browser with esbuild (after `tsc -b` has type-checked the host):
// the shell, and the SDK's browser side as a module of its own, which the shell and every
// plugin's browser entry import through the page's import map, so they share one copy.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const out = `${root}core/dist/workbench`;

// The browser code is type-checked with the DOM library, apart from the host's.
const check = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', `${root}core/tsconfig.browser.json`], { stdio: 'inherit' });
if (check.status !== 0) process.exit(check.status ?? 1);

// One file instead of inversify's hundreds of modules (see sdk/src/node/inversify.ts).
await build({
  entryPoints: [require.resolve('inversify', { paths: [`${root}sdk`] })],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outfile: `${root}sdk/dist/node/inversify.js`,
  allowOverwrite: true,
  logLevel: 'warning',
});

await mkdir(out, { recursive: true });
const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
};
await build({ ...common, entryPoints: { sdk: `${root}sdk/dist/browser/index.js` }, outdir: out });
await build({
  ...common,
  entryPoints: { shell: `${root}core/src/browser/main.ts` },
  outdir: out,
  // Shared with plugins through the import map, never copied into the shell.
  external: ['@cairn/sdk/browser'],
  alias: { '@cairn/sdk/common': '@cairn/sdk/browser' },
  loader: { '.css': 'css' },
});
// Sandboxed preloads cannot import: the Electron window's preload is one CommonJS file.
await build({
  ...common,
  platform: 'node',
  format: 'cjs',
  minify: false,
  entryPoints: [`${root}core/src/electron-main/preload.ts`],
  outfile: `${root}core/dist/electron-main/preload.cjs`,
  external: ['electron'],
});
await copyFile(`${root}core/src/browser/index.html`, `${out}/index.html`);

// Each built-in plugin's workbench part: type-checked with the DOM library, then bundled with
// the SDK left to the page's import map.
for (const plugin of await readdir(`${root}plugins`, { withFileTypes: true })) {
  const dir = `${root}plugins/${plugin.name}`;
  if (!plugin.isDirectory() || !existsSync(`${dir}/src/browser/index.ts`)) continue;
  const checked = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', `${dir}/tsconfig.browser.json`], { stdio: 'inherit' });
  if (checked.status !== 0) process.exit(checked.status ?? 1);
  // A plugin may name more browser entries (a lazily loaded editor, its web workers) in its
  // package.json: `"cairnBuild": { "browserEntries": { "name": "module or src/path.ts" } }`.
  const { cairnBuild } = JSON.parse(await readFile(`${dir}/package.json`, 'utf8'));
  const extra = Object.entries(cairnBuild?.browserEntries ?? {}).map(([name, entry]) => [
    name,
    entry.startsWith('src/') ? `${dir}/${entry}` : createRequire(`${dir}/package.json`).resolve(entry),
  ]);
  await build({
    ...common,
    entryPoints: { index: `${dir}/src/browser/index.ts`, ...Object.fromEntries(extra) },
    outdir: `${dir}/dist/browser`,
    external: ['@cairn/sdk/browser'],
    alias: { '@cairn/sdk/common': '@cairn/sdk/browser' },
    loader: { '.css': 'css', '.ttf': 'file' },
  });
}
await copyFile(`${root}core/src/browser/icon.svg`, `${out}/icon.svg`);
