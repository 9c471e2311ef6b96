import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/** The patient portal's single-page app, served by the portal server from out/portal-web. */
export default defineConfig({
  root: resolve(here, 'portal-server/web'),
  plugins: [vue()],
  // The UI kit both apps share (dialog, form field, base CSS, loading and empty states, dates).
  resolve: { alias: { '@ui-kit': resolve(here, 'ui-kit') } },
  build: {
    outDir: resolve(here, 'out/portal-web'),
    emptyOutDir: true,
  },
});
