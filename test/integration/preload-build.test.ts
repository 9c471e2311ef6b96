/**
 * Electron cannot start here, so the built preload is checked directly: with `sandbox: true` it
 * must be one CommonJS file whose only require is "electron", exposing `api` = { invoke, on } with
 * the contract's allow-lists and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Script, createContext, runInContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { IPC_CHANNELS } from '../../shared/ipc/contract';

const root = resolve(__dirname, '../..');
const built = resolve(root, 'out/preload/index.cjs');
const sources = ['src-main/preload/index.ts', 'shared/ipc/contract.ts'].map((f) => resolve(root, f));

function isStale(): boolean {
  if (!existsSync(built)) {
    return true;
  }
  const builtAt = statSync(built).mtimeMs;
  return sources.some((s) => statSync(s).mtimeMs > builtAt);
}

let code = '';

beforeAll(() => {
  if (isStale()) {
    const result = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, encoding: 'utf8', timeout: 300_000, shell: process.platform === 'win32' });
    if (result.status !== 0) {
      throw new Error(`electron-vite build failed:\n${result.stdout}\n${result.stderr}`);
    }
  }
  code = readFileSync(built, 'utf8');
}, 320_000);

interface Stub {
  exposed: { name: string; api: Record<string, unknown> }[];
  invoked: { channel: string; args: unknown }[];
  listeners: Map<string, ((event: unknown, payload: unknown) => void)[]>;
  required: string[];
}

/** Runs the built file as Electron's sandboxed preload would, with a stand-in for the electron module. */
function runPreload(): Stub {
  const stub: Stub = { exposed: [], invoked: [], listeners: new Map(), required: [] };
  const electron = {
    contextBridge: { exposeInMainWorld: (name: string, api: Record<string, unknown>) => stub.exposed.push({ name, api }) },
    ipcRenderer: {
      invoke: (channel: string, args: unknown) => {
        stub.invoked.push({ channel, args });
        return Promise.resolve({ ok: true, value: 'from main' });
      },
      on: (event: string, fn: (event: unknown, payload: unknown) => void) => {
        stub.listeners.set(event, [...(stub.listeners.get(event) ?? []), fn]);
      },
      removeListener: (event: string, fn: (event: unknown, payload: unknown) => void) => {
        stub.listeners.set(event, (stub.listeners.get(event) ?? []).filter((f) => f !== fn));
      },
    },
  };
  const requireStub = (name: string): unknown => {
    stub.required.push(name);
    if (name !== 'electron') {
      throw new Error(`a sandboxed preload cannot require ${name}`);
    }
    return electron;
  };
  const module = { exports: {} };
  const context = createContext({ require: requireStub, module, exports: module.exports, Promise, Set, console });
  runInContext(code, context, { filename: built });
  return stub;
}

describe('the built preload (out/preload/index.cjs)', () => {
  it('is a classic CommonJS script: no import or export statements', () => {
    expect(() => new Script(code, { filename: built })).not.toThrow();
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
  });

  it('requires "electron" and nothing else', () => {
    const requires = [...code.matchAll(/\brequire\s*\(\s*(['"`])([^'"`]+)\1\s*\)/g)].map((m) => m[2]);
    expect(requires).toEqual(['electron']);
    expect(runPreload().required).toEqual(['electron']);
  });

  it('exposes only window.api with invoke and on', () => {
    const { exposed } = runPreload();
    expect(exposed.map((e) => e.name)).toEqual(['api']);
    expect(Object.keys(exposed[0]?.api ?? {}).sort()).toEqual(['invoke', 'on']);
  });

  it('forwards contract channels and refuses anything else without reaching the main process', async () => {
    const stub = runPreload();
    const api = stub.exposed[0]?.api as { invoke(c: string, a: unknown): Promise<unknown> };
    for (const channel of IPC_CHANNELS) {
      await api.invoke(channel, { probe: channel });
    }
    expect(stub.invoked.map((i) => i.channel)).toEqual([...IPC_CHANNELS]);
    const refused = (await api.invoke('shell.openExternal', 'https://example.com')) as { ok: boolean; error: { code: string } };
    expect(refused).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(stub.invoked).toHaveLength(IPC_CHANNELS.length);
  });

  it('delivers contract events as payload only, unsubscribes, and ignores other event names', () => {
    const stub = runPreload();
    const api = stub.exposed[0]?.api as { on(e: string, fn: (p: unknown) => void): () => void };
    const received: unknown[] = [];
    const off = api.on('sync.status', (payload) => received.push(payload));
    for (const fn of stub.listeners.get('sync.status') ?? []) {
      fn({ sender: 'electron internals' }, { online: true });
    }
    expect(received).toEqual([{ online: true }]);
    off();
    expect(stub.listeners.get('sync.status')).toEqual([]);
    api.on('some.other.event', () => undefined);
    expect(stub.listeners.has('some.other.event')).toBe(false);
  });
});
