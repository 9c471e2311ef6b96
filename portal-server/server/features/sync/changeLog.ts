import type { EntityManager } from 'typeorm';
import { ChangeLogEntity, SyncCounterEntity } from '../../../../shared/node/entities/server';
import type { SyncedTable } from '../../../../shared/sync/protocol';

/**
 * Appends to the change log inside the writing transaction. The seq comes from a counter row
 * updated in the same transaction, so it is gap-free and in commit order on SQLite and PostgreSQL.
 */
export async function recordChange(
  m: EntityManager,
  table: SyncedTable,
  rowId: string,
  version: number,
  op: 'upsert' | 'delete' = 'upsert',
): Promise<number> {
  await m.createQueryBuilder().update(SyncCounterEntity).set({ seq: () => 'seq + 1' }).where('id = 1').execute();
  const counter = await m.findOneByOrFail(SyncCounterEntity, { id: 1 });
  await m.insert(ChangeLogEntity, { seq: counter.seq, tableName: table, rowId, version, op });
  return counter.seq;
}

export async function readHead(m: EntityManager): Promise<{ epoch: string; head: number }> {
  const counter = await m.findOneByOrFail(SyncCounterEntity, { id: 1 });
  return { epoch: counter.epoch, head: counter.seq };
}
