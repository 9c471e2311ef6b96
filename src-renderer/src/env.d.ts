/// <reference types="vite/client" />
import type { ConsoleApi } from '../../shared/ipc/contract';

declare global {
  interface Window {
    /** Built by the preload from shared/ipc/contract.ts; the renderer's only way out. */
    api: ConsoleApi;
  }
}

export {};
