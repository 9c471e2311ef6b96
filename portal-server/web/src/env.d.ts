/// <reference types="vite/client" />

// Lets plain TypeScript tools (eslint's type service) import .vue files; vue-tsc reads the real ones.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
