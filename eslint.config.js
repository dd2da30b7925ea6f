import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['**/dist/**', '**/dist-test/**', '**/node_modules/**', 'docs/**', 'test/fixtures/layering/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // inversify's @inject(TOKEN) pattern declares an interface and a const of the same name.
      '@typescript-eslint/no-redeclare': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/test/**/*.{js,ts}'],
    languageOptions: { globals: { ...globals.mocha } },
  },
  {
    // The workbench: the browser's globals, not Node's.
    files: ['**/src/browser/**/*.ts', 'test/fixtures/plugin-sets/*/*/browser.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Shared by the host and the browser: neither side's globals.
    files: ['**/src/common/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/common runs in the browser too; pass values in instead.' },
        { name: 'Buffer', message: 'src/common runs in the browser too; use Uint8Array.' },
        { name: 'window', message: 'src/common runs in Node too.' },
        { name: 'document', message: 'src/common runs in Node too.' },
      ],
    },
  },
);
