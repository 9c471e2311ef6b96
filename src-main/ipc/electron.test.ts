import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../../shared/ipc/contract';
import type { IpcResult } from '../../shared/ipc/contract';
import { signInOffline, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

/**
 * Electron itself cannot start here (no binary), so only ipcMain is replaced: a map of handlers,
 * called the way Electron calls them, with an event whose senderFrame says where the call came from.
 */
type Handler = (event: { senderFrame: { url: string } | null }, args: unknown) => Promise<IpcResult<unknown>> | IpcResult<unknown>;
const handlers = vi.hoisted(() => new Map<string, Handler>());
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: Handler) => handlers.set(channel, handler),
    removeHandler: (channel: string) => handlers.delete(channel),
  },
}));
const { registerIpc } = await import('./electron');

const RENDERER = 'file:///opt/console/out/renderer/index.html';
let core: TestCore;
let sent: [string, unknown][];
let unregister: () => void;

beforeEach(async () => {
  core = await startTestCore();
  sent = [];
  const window = { isDestroyed: () => false, webContents: { send: (name: string, payload: unknown) => sent.push([name, payload]) } };
  unregister = registerIpc(core.registry, { rendererFileUrl: RENDERER, getWindow: () => window as never });
});
afterEach(async () => {
  unregister();
  await core.dispose();
});

const call = (channel: string, url: string | null, args: unknown) => {
  const handler = handlers.get(channel);
  if (!handler) {
    throw new Error(`no handler for ${channel}`);
  }
  return handler({ senderFrame: url === null ? null : { url } }, args);
};

describe('IPC registration in the Electron main process', () => {
  it('handles exactly the contract’s channels, and removes them all again', () => {
    expect([...handlers.keys()].sort()).toEqual([...IPC_CHANNELS].sort());
    unregister();
    expect(handlers.size).toBe(0);
    unregister = () => undefined;
  });

  it('refuses a call from any frame but the console’s own renderer, before any service runs', async () => {
    await signInOffline(core);
    const invoke = vi.spyOn(core.registry, 'invoke');
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'file:///opt/console/out/renderer-evil/index.html', 'about:blank', null]) {
      expect(await call('patients.list', url, { query: '' })).toEqual({ ok: false, error: { code: 'forbidden', message: 'This request did not come from the console window.' } });
    }
    expect(invoke).not.toHaveBeenCalled();
    expect(await call('patients.list', `${RENDERER}#/patients`, { query: '' })).toEqual({ ok: true, value: [] });
  });

  it('refuses malformed arguments from the own renderer with a readable reason', async () => {
    await signInOffline(core);
    expect(await call('patients.get', RENDERER, { patientId: { $ne: null } })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await call('auth.unlock', RENDERER, ['desk1', 'pw'])).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('sends contract events to the window', async () => {
    await signInOffline(core);
    await core.services.lock.lock();
    await vi.waitFor(() => expect(sent.some(([name, payload]) => name === 'app.status' && (payload as { locked: boolean }).locked)).toBe(true));
  });
});
