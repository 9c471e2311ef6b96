import js from '@eslint/js';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'data/**', 'demo-data/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    files: ['**/*.ts', '**/*.vue'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.vue'] },
      globals: { ...globals.node },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  {
    files: ['src-renderer/**/*.{ts,vue}', 'portal-server/web/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // Dependencies point inward (DESIGN §3).
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/node/**'],
    rules: restrict([
      { group: ['node:*', 'typeorm', 'sqlite3', 'argon2', 'express', 'nodemailer', 'electron'], message: 'shared/ outside shared/node must run in the browser too.' },
      { group: ['**/node/**', '**/src-main/**', '**/portal-server/**', '**/src-renderer/**'], message: 'shared/ depends on nothing else.' },
    ]),
  },
  {
    files: ['src-renderer/**/*.{ts,vue}', 'portal-server/web/**/*.{ts,vue}'],
    rules: restrict([
      { group: ['**/shared/node/**', '**/src-main/**', '**/portal-server/server/**', 'electron', 'node:*', 'typeorm'], message: 'UI code talks to the main process through window.api and to the server over HTTP.' },
    ]),
  },
  {
    files: ['portal-server/server/**/*.ts'],
    rules: restrict([{ group: ['**/src-main/**', '**/src-renderer/**', 'electron'], message: 'The portal server knows nothing of the console.' }]),
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/index.ts', 'src-main/ipc/electron.ts', 'src-main/preload/**', 'src-main/platform/electron.ts'],
    rules: restrict([
      { group: ['electron'], message: 'Only the Electron glue imports electron; services run in Node.' },
      { group: ['**/portal-server/server/*/**', '!**/portal-server/server/index'], message: 'src-main starts the portal server only through portal-server/server/index.' },
      { group: ['**/src-renderer/**'], message: 'The main process does not import UI code.' },
    ]),
  },
);
