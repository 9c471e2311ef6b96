/**
 * The sandboxed preload: exposes `window.api` = { invoke, on } for the channels and events of
 * shared/ipc/contract.ts, and nothing else. Built as one CommonJS file whose only require is electron.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, IPC_EVENTS } from '../../shared/ipc/contract';
import type { ConsoleApi, IpcChannel, IpcEvent, IpcResult } from '../../shared/ipc/contract';

const channels = new Set<string>(IPC_CHANNELS);
const events = new Set<string>(IPC_EVENTS);

const api: ConsoleApi = {
  invoke(channel: IpcChannel, args: unknown) {
    if (!channels.has(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'not_found', message: 'The console does not know that request.' } } as IpcResult<never>);
    }
    return ipcRenderer.invoke(channel, args) as Promise<IpcResult<never>>;
  },
  on(event: IpcEvent, listener: (payload: never) => void) {
    if (!events.has(event) || typeof listener !== 'function') {
      return () => undefined;
    }
    // Only the payload crosses: the renderer never sees Electron's event object (it has `sender`).
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload as never);
    ipcRenderer.on(event, wrapped);
    return () => {
      ipcRenderer.removeListener(event, wrapped);
    };
  },
} as ConsoleApi;

contextBridge.exposeInMainWorld('api', api);
