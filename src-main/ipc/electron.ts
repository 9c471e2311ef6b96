import { ipcMain } from 'electron';
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import { IPC_CHANNELS, IPC_EVENTS } from '../../shared/ipc/contract';
import type { IpcResult } from '../../shared/ipc/contract';
import { isOwnRenderer } from '../windowPolicy';
import type { IpcRegistry } from './registry';

const FORBIDDEN: IpcResult<never> = { ok: false, error: { code: 'forbidden', message: 'This request did not come from the console window.' } };

/**
 * Connects the Electron-free registry to ipcMain: one handler per contract channel, each checking
 * that the caller is the console's own renderer; registry events go to the window.
 * Returns a function that removes everything it registered.
 */
export function registerIpc(registry: IpcRegistry, options: { rendererFileUrl: string; devServerUrl?: string; getWindow: () => BrowserWindow | null }): () => void {
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, args: unknown) => {
      if (!isOwnRenderer(event.senderFrame?.url, options.rendererFileUrl, options.devServerUrl)) {
        return FORBIDDEN;
      }
      return registry.invoke(channel, args);
    });
  }
  const unsubscribers = IPC_EVENTS.map((name) =>
    registry.on(name, (payload) => {
      const win = options.getWindow();
      if (win && !win.isDestroyed()) {
        win.webContents.send(name, payload);
      }
    }),
  );
  return () => {
    for (const channel of IPC_CHANNELS) {
      ipcMain.removeHandler(channel);
    }
    for (const off of unsubscribers) {
      off();
    }
  };
}
