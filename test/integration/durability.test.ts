import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openReplica } from '../../src-main/replica/replica';
import { Database } from '../../shared/node/db';
import { SERVER_ENTITIES } from '../../shared/node/entities/server';
import { SERVER_MIGRATIONS } from '../../shared/node/migrations/server';

const dir = mkdtempSync(join(tmpdir(), 'db-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** PRAGMA synchronous: 1 = NORMAL (a power cut may undo the last commits in WAL mode), 2 = FULL. */
async function durability(db: Database): Promise<{ synchronous: number; journal: string }> {
  return db.read(async (m) => {
    const [sync] = (await m.query('PRAGMA synchronous')) as { synchronous: number }[];
    const [journal] = (await m.query('PRAGMA journal_mode')) as { journal_mode: string }[];
    return { synchronous: Number(sync?.synchronous), journal: String(journal?.journal_mode) };
  });
}

describe('a commit either side acts on survives a power cut', () => {
  it('the server database commits with synchronous=FULL in WAL mode (an "applied" answer is final)', async () => {
    const db = await Database.open({ sqlitePath: join(dir, 'portal.sqlite'), entities: SERVER_ENTITIES, migrations: SERVER_MIGRATIONS });
    try {
      expect(await durability(db)).toEqual({ synchronous: 2, journal: 'wal' });
    } finally {
      await db.close();
    }
  });

  it('the console replica commits with synchronous=FULL in WAL mode (a change staff saw saved stays saved)', async () => {
    const db = await openReplica(join(dir, 'console.sqlite'));
    try {
      expect(await durability(db)).toEqual({ synchronous: 2, journal: 'wal' });
    } finally {
      await db.close();
    }
  });
});
