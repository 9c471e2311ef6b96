/**
 * Backups of the portal's SQLite database while the server runs, and their restore (issue 18
 * item 5). The copy is made with VACUUM INTO on a connection of its own: one consistent snapshot
 * of committed rows, whatever the server writes meanwhile. The HMAC secret (DATA_DIR/secret or
 * SECRET) is never copied into a backup: docs/deploy.md says where the operator keeps it.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync, readdirSync, renameSync, rmSync, statSync, copyFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sqlite3 from 'sqlite3';
import { SERVER_MIGRATIONS } from '../../../../shared/node/migrations/server';
import { DataFolderInUse, lockHolder, takeDataFolderLock } from './dataFolderLock';

export class BackupError extends Error {}

export const DEFAULT_KEEP_DAYS = 14;
const NAME = /^portal-(\d{8})-(\d{6})Z\.sqlite$/;
/** Tables whose row counts a check reports (they exist since the first migration). */
const COUNTED = ['patient', 'staff_user', 'change_log', 'audit_event'];

export const sqliteFileOf = (dataDir: string): string => join(dataDir, 'portal.sqlite');

export interface BackupCheck {
  migrations: string[];
  rows: Record<string, number>;
}

export interface BackupResult extends BackupCheck {
  file: string;
  bytes: number;
  pruned: string[];
}

function open(file: string, mode: number): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, mode, (err) => (err ? reject(err) : resolve(db)));
  });
}
function all<T>(db: sqlite3.Database, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => db.all(sql, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
}
function run(db: sqlite3.Database, sql: string, params: unknown[] = []): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, params, (err) => (err ? reject(err) : resolve())));
}
function close(db: sqlite3.Database): Promise<void> {
  return new Promise((resolve) => db.close(() => resolve()));
}

function stamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\.\d+Z$/, 'Z');
}

function isSqliteFile(file: string): boolean {
  const header = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

/** Opens `file` read-only and checks it: integrity, a portal's migrations table, row counts. */
export async function checkBackupFile(file: string): Promise<BackupCheck> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new BackupError(`${file} does not exist or is not a file.`);
  }
  if (!isSqliteFile(file)) {
    throw new BackupError(`${file} is not a SQLite database (not a portal backup).`);
  }
  let db: sqlite3.Database;
  try {
    db = await open(file, sqlite3.OPEN_READONLY);
  } catch (err) {
    throw new BackupError(`${file} cannot be opened: ${(err as Error).message}`);
  }
  try {
    const integrity = await all<{ integrity_check: string }>(db, 'PRAGMA integrity_check').catch((err: Error) => [{ integrity_check: err.message }]);
    if (integrity.length !== 1 || integrity[0]?.integrity_check !== 'ok') {
      throw new BackupError(`${file} is damaged (integrity check: ${integrity.map((r) => r.integrity_check).slice(0, 3).join('; ')}).`);
    }
    const tables = new Set((await all<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name));
    if (!tables.has('migrations')) {
      throw new BackupError(`${file} has no migrations table: it is not a portal database.`);
    }
    const migrations = (await all<{ name: string }>(db, 'SELECT name FROM migrations ORDER BY timestamp')).map((r) => r.name);
    const rows: Record<string, number> = {};
    for (const table of COUNTED.filter((t) => tables.has(t))) {
      rows[table] = (await all<{ n: number }>(db, `SELECT COUNT(*) AS n FROM "${table}"`))[0]?.n ?? 0;
    }
    return { migrations, rows };
  } finally {
    await close(db);
  }
}

/** A backup this build can run: every migration it records is one this build knows. */
function assertMigrationsKnown(file: string, migrations: string[]): void {
  const known = new Set(SERVER_MIGRATIONS.map((m) => m.name));
  const unknown = migrations.filter((m) => !known.has(m));
  if (unknown.length > 0) {
    throw new BackupError(`${file} was made by a newer portal version (migrations ${unknown.join(', ')} are unknown to this one). Restore it with that version or later.`);
  }
  if (migrations.length === 0) {
    throw new BackupError(`${file} records no migrations: it is not a portal database.`);
  }
}

/** Copies the running database into `backupDir`, checks the copy, then removes backups older than `keepDays`. */
export async function backupDatabase(o: { dataDir: string; backupDir: string; keepDays?: number; now?: Date }): Promise<BackupResult> {
  const now = o.now ?? new Date();
  const keepDays = o.keepDays ?? DEFAULT_KEEP_DAYS;
  const source = sqliteFileOf(o.dataDir);
  if (!existsSync(source)) {
    throw new BackupError(`There is no database at ${source}. Check DATA_DIR.`);
  }
  mkdirSync(o.backupDir, { recursive: true, mode: 0o700 });
  const file = join(o.backupDir, `portal-${stamp(now)}.sqlite`);
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  const db = await open(source, sqlite3.OPEN_READWRITE);
  let sourceMigrations: string[];
  try {
    await run(db, 'PRAGMA busy_timeout = 10000');
    sourceMigrations = (await all<{ name: string }>(db, 'SELECT name FROM migrations ORDER BY timestamp')).map((r) => r.name);
    await run(db, 'VACUUM INTO ?', [partial]);
  } finally {
    await close(db);
  }
  try {
    chmodSync(partial, 0o600);
    const check = await checkBackupFile(partial);
    if (check.migrations.join('\n') !== sourceMigrations.join('\n')) {
      throw new BackupError('The copy does not record the same migrations as the database: it was not kept.');
    }
    renameSync(partial, file);
    const pruned = pruneBackups(o.backupDir, keepDays, now, file);
    return { file, bytes: statSync(file).size, pruned, ...check };
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
}

/** Removes this tool's backups (by the time in their name) older than `keepDays`; never the newest one nor other files. */
export function pruneBackups(backupDir: string, keepDays: number, now: Date, keep: string): string[] {
  const cutoff = now.getTime() - keepDays * 86_400_000;
  const removed: string[] = [];
  for (const name of readdirSync(backupDir)) {
    const m = NAME.exec(name);
    if (!m || join(backupDir, name) === keep) {
      continue;
    }
    const [d = '', t = ''] = [m[1], m[2]];
    const at = Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +t.slice(0, 2), +t.slice(2, 4), +t.slice(4, 6));
    if (at < cutoff) {
      rmSync(join(backupDir, name));
      removed.push(name);
    }
  }
  return removed;
}

export interface RestoreResult extends BackupCheck {
  restoredFrom: string;
  database: string;
  /** Where the replaced database went (null when the folder had none). */
  keptAside: string | null;
}

/**
 * Replaces DATA_DIR/portal.sqlite with `file` after checking it. Refused — with nothing changed —
 * when the backup is damaged, from a newer version, or a server runs on the folder.
 */
export async function restoreDatabase(o: { dataDir: string; file: string; now?: Date }): Promise<RestoreResult> {
  const now = o.now ?? new Date();
  const check = await checkBackupFile(o.file);
  assertMigrationsKnown(o.file, check.migrations);
  const holder = lockHolder(o.dataDir);
  if (holder) {
    throw new BackupError(`A portal ${holder.what} (process ${holder.pid}) is running on ${o.dataDir}. Stop it first (for example: systemctl stop clinic-portal), then restore.`);
  }
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  let lock;
  try {
    lock = takeDataFolderLock(o.dataDir, 'restore');
  } catch (err) {
    if (err instanceof DataFolderInUse) {
      throw new BackupError(err.message);
    }
    throw err;
  }
  try {
    const database = sqliteFileOf(o.dataDir);
    const incoming = `${database}.restoring`;
    copyFileSync(o.file, incoming);
    chmodSync(incoming, 0o600);
    let keptAside: string | null = null;
    if (existsSync(database)) {
      keptAside = `${database}.before-restore-${stamp(now)}`;
      // The -wal of a server that did not stop cleanly holds commits: it goes aside with its database.
      for (const suffix of ['-wal', '-shm']) {
        if (existsSync(database + suffix)) {
          renameSync(database + suffix, keptAside + suffix);
        }
      }
      renameSync(database, keptAside);
    }
    renameSync(incoming, database);
    return { restoredFrom: o.file, database, keptAside, ...check };
  } finally {
    lock.release();
  }
}

export const backupNameOf = (file: string): string => basename(file);

/**
 * A console that hosts the portal backs it up on a schedule (src-main/services/backups.ts): this is
 * what it runs — the same checked copy and pruning as `npm run backup`.
 */
export function scheduledBackupOf(dataDir: string, backupDir: string, keepDays = DEFAULT_KEEP_DAYS) {
  return {
    folder: backupDir,
    keepDays,
    run: async (now: Date): Promise<{ file: string; sizeBytes: number }> => {
      const result = await backupDatabase({ dataDir, backupDir, keepDays, now });
      return { file: result.file, sizeBytes: result.bytes };
    },
  };
}
