import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * DATA_DIR/server.lock marks a data folder a portal server (or a restore) is using: written at
 * start, removed at close. `npm run restore` refuses a folder whose lock names a live process. A
 * lock left by a process that is gone (killed, power cut) is stale and is taken over.
 */
export interface DataFolderLock {
  release(): void;
}

interface LockContent {
  pid: number;
  token: string;
  what: string;
  since: string;
}

export class DataFolderInUse extends Error {
  constructor(
    readonly pid: number,
    readonly what: string,
  ) {
    super(`A portal ${what} (process ${pid}) is using this data folder. Stop it first.`);
    this.name = 'DataFolderInUse';
  }
}

export const lockFileOf = (dataDir: string): string => join(dataDir, 'server.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another account.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder of the folder's lock, or null when there is none or it is stale. */
export function lockHolder(dataDir: string): { pid: number; what: string } | null {
  let content: LockContent;
  try {
    content = JSON.parse(readFileSync(lockFileOf(dataDir), 'utf8')) as LockContent;
  } catch {
    return null;
  }
  return Number.isInteger(content.pid) && alive(content.pid) ? { pid: content.pid, what: content.what } : null;
}

/**
 * Takes the folder's lock. Another live process holding it is refused; this process holding it
 * already (a test's second server on the folder) is not, and each holder removes only its own.
 */
export function takeDataFolderLock(dataDir: string, what: 'server' | 'restore'): DataFolderLock {
  const holder = lockHolder(dataDir);
  if (holder && holder.pid !== process.pid) {
    throw new DataFolderInUse(holder.pid, holder.what);
  }
  const token = randomUUID();
  const content: LockContent = { pid: process.pid, token, what, since: new Date().toISOString() };
  writeFileSync(lockFileOf(dataDir), `${JSON.stringify(content)}\n`, { mode: 0o600 });
  return {
    release() {
      try {
        const now = JSON.parse(readFileSync(lockFileOf(dataDir), 'utf8')) as LockContent;
        if (now.token === token) {
          rmSync(lockFileOf(dataDir), { force: true });
        }
      } catch {
        // Already gone.
      }
    },
  };
}
