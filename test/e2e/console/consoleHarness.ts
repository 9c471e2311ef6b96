import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { createConsoleCore } from '../../../src-main/core';
import type { ConsoleCore } from '../../../src-main/core';
import { ConsoleHolder } from '../../../src-main/consoleHolder';
import type { PortalHost } from '../../../src-main/session/auth';
import type { HostedBackup } from '../../../src-main/services/backups';
import { IPC_EVENTS } from '../../../shared/ipc/contract';
import { setState } from '../../../src-main/replica/syncState';
import { startStaticServer } from '../../fixtures/staticServer';
import { mailDirOf, readConfig } from '../../fixtures/portal';

export interface ConsoleUnderTest {
  /** The core in use now: a new one after the desk joins another server (issue 16), as in the app. */
  readonly core: ConsoleCore;
  dataDir: string;
  /** Sets this computer's idle-lock time (seconds, below the UI's whole minutes) and tells the window, as a change would. */
  setIdleLockSeconds(seconds: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The console without Electron: the built renderer (out/renderer) in Chromium, with `window.api`
 * bridged to the real main-process IPC registry running here in Node (DESIGN §8). Main → renderer
 * events are delivered into the page with page.evaluate, as webContents.send would.
 */
export async function openConsole(
  page: Page,
  options: { serverUrl: string; host?: PortalHost | null; dataDir?: string; deviceName?: string; tokenProtectionWarning?: string; hostedBackup?: HostedBackup | null },
): Promise<ConsoleUnderTest> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'console-test-'));
  // Held as index.ts holds it: joining a server replaces the core, and the bridge follows.
  const holder = await ConsoleHolder.open({
    open: (server) =>
      createConsoleCore({
        ...server,
        dataDir,
        // The portal server's own rules, as index.ts hands them in: the "Portal server" screen of a hosting console.
        portalRules: { readConfig, mailDirOf, env: {} },
        tokenProtectionWarning: options.tokenProtectionWarning ?? null,
        log: () => undefined,
        sync: { debounceMs: 50, backoffInitialMs: 200, backoffMaxMs: 1000, safetyIntervalMs: 5000 },
      }),
    first: {
      serverUrl: options.serverUrl,
      host: options.host ?? null,
      hostedBackup: options.hostedBackup ?? null,
      deviceName: options.deviceName ?? 'Front desk (test)',
    },
  });
  const web = await startStaticServer(resolve('out/renderer'));
  await page.exposeBinding('__consoleInvoke', (_source, channel: string, args: unknown) => holder.registry.invoke(channel, args));
  await page.addInitScript(() => {
    type Listener = (payload: unknown) => void;
    const listeners = new Map<string, Set<Listener>>();
    const w = globalThis as unknown as {
      api: unknown;
      __consoleInvoke: (channel: string, args: unknown) => Promise<unknown>;
      __consoleEmit: (event: string, payload: unknown) => void;
    };
    w.__consoleEmit = (event, payload) => listeners.get(event)?.forEach((l) => l(payload));
    w.api = {
      invoke: (channel: string, args: unknown) => w.__consoleInvoke(channel, args),
      on: (event: string, listener: Listener) => {
        const set = listeners.get(event) ?? new Set<Listener>();
        set.add(listener);
        listeners.set(event, set);
        return () => set.delete(listener);
      },
    };
  });
  const unsubscribe = IPC_EVENTS.map((event) =>
    holder.registry.on(event, (payload) => {
      page.evaluate(([e, p]) => (globalThis as unknown as { __consoleEmit: (e: string, p: unknown) => void }).__consoleEmit(e, p), [event, payload] as const).catch(() => undefined);
    }),
  );
  await page.goto(`${web.url}/index.html`);
  return {
    get core() {
      return holder.current;
    },
    dataDir,
    setIdleLockSeconds: async (seconds) => {
      const core = holder.current;
      await core.db.write((m) => setState(m, 'idleLockSeconds', seconds));
      core.events.emit('app.status', await core.services.auth.status());
    },
    close: async () => {
      unsubscribe.forEach((u) => u());
      await holder.close();
      await web.close();
      if (!options.dataDir) {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
