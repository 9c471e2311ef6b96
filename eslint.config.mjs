import js from '@eslint/js';
import pluginVue from 'eslint-plugin-vue';
import regexp from 'eslint-plugin-regexp';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

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
    // Run inside the page under test by the accessibility walk.
    files: ['test/e2e/**/inPage.js'],
    languageOptions: { globals: { ...globals.browser } },
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
  // A pattern that can backtrack or move super-linearly lets one request freeze the server (an email
  // rule once took minutes on "a@" and 50,000 dots). Tests match their own output, so they are exempt.
  {
    files: ['**/*.{ts,vue,mjs,js}'],
    ignores: ['test/**', '**/*.test.ts', '**/*.spec.ts'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
    },
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
  // The UI kit both apps import runs in the browser only: no Node, no server, no app code.
  {
    files: ['ui-kit/**/*.{ts,vue}'],
    languageOptions: { globals: { ...Object.fromEntries(Object.keys(globals.node).map((name) => [name, 'off'])), ...globals.browser } },
    rules: restrict([
      { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'electron', 'typeorm', 'sqlite3', 'pg', 'argon2', 'express', 'helmet', 'nodemailer'], message: 'ui-kit/ runs in the browser: no Node or server packages.' },
      { group: ['**/shared/node/**', '**/src-main/**', '**/portal-server/**', '**/src-renderer/**'], message: 'ui-kit/ is shared by both apps and depends on neither, nor on server code.' },
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
      { group: ['**/portal-server/**', '!**/portal-server/server/index'], message: 'src-main starts the portal server only through portal-server/server/index.' },
      { group: ['**/src-renderer/**'], message: 'The main process does not import UI code.' },
    ]),
  },
  // Layers inside each program (DESIGN §3, CONVENTIONS "Layers"): depend downward, never sideways,
  // never in a cycle. Paths are resolved, so `../x` and `../../src-main/x` are judged alike.
  {
    files: ['src-main/**/*.ts', 'portal-server/server/**/*.ts', 'shared/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.node.json'] })] },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: layerZones() }],
    },
  },
  // Tests wire layers together on purpose (a service test drives the engine); the layers hold for the code they test.
  { files: ['**/*.test.ts'], rules: { 'import-x/no-restricted-paths': 'off' } },
);

/** Each zone: files in `target` may not import from `from`. */
function layerZones() {
  const main = (dirs) => dirs.map((d) => `./src-main/${d}`);
  const top = ['core.ts', 'consoleHolder.ts', 'index.ts', 'ipc'];
  const server = './portal-server/server';
  return [
    { target: './src-main/platform', from: main(['net', 'replica', 'session', 'services', 'sync', ...top]), message: 'platform/ is the bottom layer.' },
    { target: './src-main/net', from: main(['replica', 'session', 'services', 'sync', 'events.ts', ...top]), message: 'net/ (HTTP, event stream) is a bottom layer: it knows no database, session or use case.' },
    { target: './src-main/replica', from: main(['net', 'session', 'services', 'sync', 'events.ts', ...top]), message: 'replica/ (database, outbox, sync state) is a bottom layer.' },
    { target: './src-main/session', from: main(['services', 'sync', ...top]), message: 'session/ sits below services/ and sync/.' },
    { target: './src-main/services', from: main(['sync', ...top]), message: 'services/ and sync/ never import each other; both depend on the layers below.' },
    { target: './src-main/sync', from: main(['services', ...top]), message: 'services/ and sync/ never import each other; both depend on the layers below.' },
    { target: `${server}/features`, from: [`${server}/app.ts`, `${server}/index.ts`, `${server}/main.ts`, `${server}/demo.ts`, `${server}/demoClinic.ts`], message: 'Features do not reach up to the app that mounts them.' },
    { target: `${server}/middleware`, from: [`${server}/app.ts`, `${server}/index.ts`, `${server}/main.ts`], message: 'Middleware does not reach up to the app that mounts it.' },
    { target: `${server}/features/*/!(routes).ts`, from: `${server}/features/*/routes.ts`, message: 'Only the app mounts routes; services never import a route (no req/res below the route layer).' },
  ];
}
