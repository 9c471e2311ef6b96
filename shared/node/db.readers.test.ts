import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Database, lockKey } from './db';
import { SERVER_ENTITIES } from './entities/server';
import { SERVER_MIGRATIONS } from './migrations/server';

/**
 * Issue 18 item 8: on SQLite, reads run on read-only connections beside the writer (WAL), so a
 * patient's page load does not queue behind a write. Real SQLite files.
 */
let db: Database | undefined;
let dir = '';
afterEach(async () => {
  await db?.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const open = async (readers: number) => {
  dir = mkdtempSync(join(tmpdir(), 'portal-readers-'));
  db = await Database.open({ sqlitePath: join(dir, 'portal.sqlite'), entities: SERVER_ENTITIES, migrations: SERVER_MIGRATIONS, readers });
  return db;
};

/** Rejects when `p` has not settled within `ms` (a deadline, not a timing assertion). */
const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms).unref())]);

const clinics = (m: Parameters<Parameters<Database['read']>[0]>[0]) => m.query('SELECT COUNT(*) AS n FROM clinic').then((rows: { n: number }[]) => Number(rows[0]?.n));
const insertClinic = (m: Parameters<Parameters<Database['read']>[0]>[0], id: string) =>
  m.query("INSERT INTO clinic (id, name, phone, address, timeZone, passwordPolicy, invitationLifetimeDays, createdAt, updatedAt) VALUES (?, 'C', '555', 'A', 'UTC', 'default', 14, '2026-01-01', '2026-01-01')", [id]);

describe('SQLite readers', () => {
  it('a read finishes while a write transaction is still open, sees only what was committed, and sees the write once it commits', async () => {
    const d = await open(2);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted: () => void = () => undefined;
    const insertedYet = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const writing = d.write(async (m) => {
      await insertClinic(m, 'c-1');
      inserted();
      await gate;
    });
    await within(Promise.race([insertedYet, writing]), 10_000, 'the write');
    // The write is open and holds the lock: the read must not wait for it.
    expect(await within(d.read(clinics), 10_000, 'the read beside an open write')).toBe(0);
    release();
    await writing;
    expect(await d.read(clinics)).toBe(1);
  });

  it('a slow read holds up only its own connection: the next reads go to the free one', async () => {
    const d = await open(2);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => undefined;
    const startedYet = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slow = d.read(async (m) => {
      const n = await clinics(m);
      started();
      await gate;
      return n;
    });
    await within(startedYet, 10_000, 'the slow read');
    // Taking turns would deal the second of these to the busy connection, behind the slow read.
    for (let i = 0; i < 3; i += 1) {
      expect(await within(d.read(clinics), 10_000, `read ${i + 1} beside a slow one`)).toBe(0);
    }
    release();
    expect(await slow).toBe(0);
  });

  it('refuse writes: a read-only connection cannot change anything', async () => {
    const d = await open(1);
    await expect(d.read((m) => insertClinic(m, 'c-2'))).rejects.toThrow(/SQLITE_READONLY|readonly/i);
    expect(await d.read(clinics)).toBe(0);
  });

  it('a one-statement read spends no BEGIN/COMMIT on its reader; other reads keep their transaction', async () => {
    const d = await open(2);
    const seen: string[] = [];
    const proto = sqlite3.Database.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    const originals = Object.fromEntries(['all', 'run'].map((k) => [k, proto[k]]));
    for (const [k, f] of Object.entries(originals)) {
      proto[k] = function (this: unknown, ...args: unknown[]) {
        seen.push(String(args[0]));
        return f?.apply(this, args);
      };
    }
    try {
      expect(await d.read(clinics, { oneStatement: true })).toBe(0);
      expect(seen).toEqual(['SELECT COUNT(*) AS n FROM clinic']);
      seen.length = 0;
      expect(await d.read(clinics)).toBe(0);
      expect(seen).toEqual(['BEGIN TRANSACTION', 'SELECT COUNT(*) AS n FROM clinic', 'COMMIT']);
    } finally {
      Object.assign(proto, originals);
    }
  });

  it('lockKey refuses a one-statement write: without a transaction the lock would end with its own statement', async () => {
    const d = await open(0);
    await expect(d.write((m) => lockKey(m, 'k'), { oneStatement: true })).rejects.toThrow(/needs a transaction/);
    await expect(d.write((m) => lockKey(m, 'k'))).resolves.toBeUndefined();
  });

  it('with readers, writes reach the database file by a background checkpoint, not in a COMMIT; closing removes the WAL', async () => {
    const d = await open(1);
    // The writer's own checkpoint is only a fallback, far above one write's pages.
    expect(await d.write((m) => m.query('PRAGMA wal_autocheckpoint'))).toEqual([{ wal_autocheckpoint: 100_000 }]);
    await d.write((m) => insertClinic(m, 'c-checkpointed'));
    // The database file alone (without its -wal) holds the row once a checkpoint moved it there;
    // a copy taken mid-checkpoint may not open, so each try copies afresh.
    const copy = join(dir, 'copy.sqlite');
    const inFile = async (): Promise<number> => {
      copyFileSync(join(dir, 'portal.sqlite'), copy);
      const conn = new sqlite3.Database(copy, sqlite3.OPEN_READONLY);
      try {
        return await new Promise<number>((resolve) => conn.get("SELECT COUNT(*) AS n FROM clinic WHERE id = 'c-checkpointed'", (err, row: { n: number } | undefined) => resolve(err ? 0 : Number(row?.n))));
      } finally {
        await new Promise((resolve) => conn.close(resolve));
      }
    };
    const deadline = Date.now() + 10_000;
    while ((await inFile()) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await inFile()).toBe(1);
    await d.close();
    db = undefined;
    expect(existsSync(join(dir, 'portal.sqlite-wal'))).toBe(false);
  });
});

