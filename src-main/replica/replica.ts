import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Database } from '../../shared/node/db';
import { REPLICA_ENTITIES } from './entities';
import { REPLICA_MIGRATIONS } from './migrations';

/**
 * Opens (and creates, migrating it) the console's replica at `sqlitePath`.
 *
 * The file is created with mode 0600 before SQLite opens it: it holds patients' names, dates of
 * birth and contact details, so on a shared desktop no other operating-system account may read it.
 * SQLite gives its -wal and -shm files the same permissions as the database file.
 */
export async function openReplica(sqlitePath: string): Promise<Database> {
  if (sqlitePath !== ':memory:') {
    mkdirSync(dirname(sqlitePath), { recursive: true, mode: 0o700 });
    closeSync(openSync(sqlitePath, 'a', 0o600));
    chmodSync(sqlitePath, 0o600);
  }
  return Database.open({ sqlitePath, entities: REPLICA_ENTITIES, migrations: REPLICA_MIGRATIONS });
}
