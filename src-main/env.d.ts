/** electron-vite replaces these in the main-process bundle (DEV is true only under `electron-vite dev`). */
interface ImportMetaEnv {
  readonly DEV: boolean;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
