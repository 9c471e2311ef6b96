/** Our console for the benchmark: the real console core (createConsoleCore) on a real SQLite replica in a temp folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StaffSignInResponse } from '../shared/api/types';
import { createConsoleCore } from '../src-main/core';
import type { ConsoleCore } from '../src-main/core';
import { signInStaff } from '../test/fixtures/portal';

export interface BenchConsole {
  core: ConsoleCore;
  dispose(): Promise<void>;
}

/**
 * A console signed in through the real staff sign-in API; the answer is stored as the sign-in
 * screen stores it, but the engine is not started yet, so the caller times the first sync alone.
 */
export async function openConsole(url: string, username: string, password: string): Promise<BenchConsole> {
  const dataDir = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'console-'));
  const signIn: StaffSignInResponse = await signInStaff(url, username, password);
  const core = await createConsoleCore({ dataDir, serverUrl: url, log: () => undefined, deviceName: 'bench', sync: { safetyIntervalMs: 3_600_000 } });
  await core.session.remember(signIn, url);
  return {
    core,
    dispose: async () => {
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts syncing and resolves when the first sync round has ended (pull complete). */
export function firstSync(core: ConsoleCore): Promise<void> {
  return new Promise((resolve) => {
    let started = false;
    const off = core.events.on('sync.status', (status) => {
      started ||= status.syncing;
      if (started && !status.syncing) {
        off();
        resolve();
      }
    });
    core.engine.start();
  });
}

export async function countRows(core: ConsoleCore, table: string): Promise<number> {
  const [row] = (await core.db.read((m) => m.query('SELECT count(*) AS n FROM replica_row WHERE tableName = ?', [table]))) as { n: number }[];
  return row?.n ?? 0;
}
