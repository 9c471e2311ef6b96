import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { MoreThan } from 'typeorm';
import { ChangeLogEntity, SyncCounterEntity } from '../../../../shared/node/entities/server';
import type { ChangeLogRow } from '../../../../shared/node/entities/server';
import { notify } from '../../../../shared/node/db';
import type { SyncedTable } from '../../../../shared/sync/protocol';

/** The cross-instance event for "the change log grew". */
export const CHANGES_TOPIC = 'changes';

/**
 * Appends to the change log inside the writing transaction. The seq comes from a counter row
 * updated in the same transaction, so it is gap-free and in commit order on SQLite and PostgreSQL
 * (there, the counter row stays locked from this update to the commit: the next writer's seq waits).
 * `clientId` names the console whose mutation made the change (null for patients and the server).
 */
export async function recordChange(
  m: EntityManager,
  table: SyncedTable,
  rowId: string,
  version: number,
  op: 'upsert' | 'delete' = 'upsert',
  clientId: string | null = null,
): Promise<number> {
  await m.createQueryBuilder().update(SyncCounterEntity).set({ seq: () => 'seq + 1' }).where('id = 1').execute();
  const counter = await m.findOneByOrFail(SyncCounterEntity, { id: 1 });
  await m.insert(ChangeLogEntity, { seq: counter.seq, tableName: table, rowId, version, op, clientId, nonce: randomBytes(8).toString('hex') });
  // Consoles connected to other instances hear of it when this commits.
  await notify(m, CHANGES_TOPIC);
  return counter.seq;
}

/**
 * Whether a row changed since `baseVersion` by anyone other than `clientId`. A console's own later
 * changes (it sends each intent with the version it last pulled) are not conflicts with itself.
 */
export async function changedByOthersSince(m: EntityManager, table: SyncedTable, rowId: string, currentVersion: number, baseVersion: number, clientId: string | null): Promise<boolean> {
  if (currentVersion === baseVersion) {
    return false;
  }
  if (baseVersion > currentVersion || clientId === null) {
    return true;
  }
  const since = await m.find(ChangeLogEntity, { where: { tableName: table, rowId, version: MoreThan(baseVersion) } });
  return since.length === 0 || since.some((c) => c.clientId !== clientId);
}

export async function readHead(m: EntityManager): Promise<{ epoch: string; head: number }> {
  const counter = await m.findOneByOrFail(SyncCounterEntity, { id: 1 });
  return { epoch: counter.epoch, head: counter.seq };
}

/**
 * A short fingerprint of a change-log entry. A cursor carries the one of the entry at its seq, so
 * a server restored from an older backup — same epoch, but another entry (or none) at that seq —
 * is told apart from the one that issued the cursor. The console that made the change is part of
 * it: after a restore, another desk's edit of the same row can land on the same seq with the same
 * version, and must not pass for the lost one. The entry's random nonce makes it unique even when
 * the same console sends the very intent the restore lost and it lands where it stood before.
 */
export function fingerprint(entry: Pick<ChangeLogRow, 'tableName' | 'rowId' | 'version' | 'op' | 'clientId' | 'nonce'>): string {
  return createHash('sha256')
    .update(`${entry.tableName}\n${entry.rowId}\n${entry.version}\n${entry.op}\n${entry.clientId ?? ''}${entry.nonce ? `\n${entry.nonce}` : ''}`)
    .digest('hex')
    .slice(0, 16);
}
