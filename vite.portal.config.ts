import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/** The patient portal's single-page app, served by the portal server from out/portal-web. */
export default defineConfig({
  root: resolve(__dirname, 'portal-server/web'),
  plugins: [vue()],
  build: {
    outDir: resolve(__dirname, 'out/portal-web'),
    emptyOutDir: true,
  },
});
