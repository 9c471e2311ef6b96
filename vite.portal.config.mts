import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/** The patient portal's single-page app, served by the portal server from out/portal-web. */
export default defineConfig({
  root: resolve(here, 'portal-server/web'),
  // The portal's messages are compiled at build time (issue 15): the runtime-only vue-i18n build
  // never turns a string into code, so the strict Content-Security-Policy holds.
  plugins: [vue(), VueI18nPlugin({ include: [resolve(here, 'portal-server/web/src/locales/**')], runtimeOnly: true, compositionOnly: true, strictMessage: true })],
  // The UI kit both apps share (dialog, form field, base CSS, loading and empty states, dates).
  resolve: { alias: { '@ui-kit': resolve(here, 'ui-kit') } },
  build: {
    outDir: resolve(here, 'out/portal-web'),
    emptyOutDir: true,
  },
});
