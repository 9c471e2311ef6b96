/**
 * The generic replica table: typed reads and writes of any synced table other than patient and
 * invitation. A local change keeps the server's copy beside it (serverCopy) until the server has
 * accepted or refused it; a refusal restores that copy, or removes a row the server never had.
 */
import type { EntityManager, EntitySchema, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { SyncedRows } from '../../shared/sync/protocol';
import type { StaffDirectoryEntry } from '../../shared/domain/staff';
import { ReplicaRowEntity } from './entities';
import type { GenericTable, ReplicaRow } from './entities';

export type { GenericTable };

/** Names one replica row in the outbox: "appointment:<id>". */
export type RowKey = `${GenericTable}:${string}`;
export function rowKey(table: GenericTable, id: string): RowKey {
  return `${table}:${id}`;
}
export function parseRowKey(key: string): { table: GenericTable; id: string } {
  const at = key.indexOf(':');
  return { table: key.slice(0, at) as GenericTable, id: key.slice(at + 1) };
}

export interface Stored<T extends GenericTable> {
  row: ReplicaRow;
  record: SyncedRows[T];
}

function ownerIds<T extends GenericTable>(table: T, record: SyncedRows[T]): { patientId: string | null; parentId: string | null } {
  const patientId = 'patientId' in record ? record.patientId : null;
  const parentId = table === 'message' ? (record as SyncedRows['message']).threadId : null;
  return { patientId, parentId };
}

/** A row exactly as the server sent it. */
export function serverRowOf<T extends GenericTable>(table: T, record: SyncedRows[T]): ReplicaRow {
  return { tableName: table, id: record.id, ...ownerIds(table, record), data: JSON.stringify(record), version: record.version, updatedAt: record.updatedAt, serverCopy: null, deletedLocally: false };
}

export function toStored<T extends GenericTable>(row: ReplicaRow): Stored<T> {
  return { row, record: JSON.parse(row.data) as SyncedRows[T] };
}

export async function findStored<T extends GenericTable>(m: EntityManager, table: T, id: string): Promise<Stored<T> | null> {
  const row = await m.findOneBy(ReplicaRowEntity, { tableName: table, id, deletedLocally: false });
  return row ? toStored<T>(row) : null;
}

/** Visible rows of one table; add conditions on `r` (json_extract(r.data, '$.field') for record fields). */
export function queryRows(m: EntityManager, table: GenericTable): SelectQueryBuilder<ReplicaRow> {
  return m.createQueryBuilder(ReplicaRowEntity, 'r').where('r.tableName = :table', { table }).andWhere('r.deletedLocally = :no', { no: false });
}

export async function listStored<T extends GenericTable>(qb: SelectQueryBuilder<ReplicaRow>): Promise<Stored<T>[]> {
  return (await qb.getMany()).map((row) => toStored<T>(row));
}

/** The server's state of a row: its kept copy while a local change waits, else what it shows. */
function serverStateOf(row: ReplicaRow): string | null {
  return row.serverCopy ?? (row.version > 0 ? row.data : null);
}

/**
 * Shows a local change: a new row (version 0) or a changed one, keeping the server's copy for a
 * rollback. `version` stays the server's, so later changes know what they were built on.
 */
export async function writeLocal<T extends GenericTable>(m: EntityManager, table: T, record: SyncedRows[T], existing: ReplicaRow | null): Promise<void> {
  if (existing) {
    await m.update(ReplicaRowEntity, { tableName: table, id: record.id }, { data: JSON.stringify({ ...record, version: existing.version }), serverCopy: serverStateOf(existing) });
  } else {
    await m.insert(ReplicaRowEntity, { ...serverRowOf(table, { ...record, version: 0 }), version: 0 });
  }
}

/** Hides a row removed on this console until the server agrees (a tombstone) or refuses. */
export async function deleteLocal(m: EntityManager, row: ReplicaRow): Promise<void> {
  await m.update(ReplicaRowEntity, { tableName: row.tableName, id: row.id }, { deletedLocally: true, serverCopy: serverStateOf(row) });
}

export async function removeRow(m: EntityManager, table: GenericTable, id: string): Promise<void> {
  await m.delete(ReplicaRowEntity, { tableName: table, id });
}

/** SQLite allows 32,766 bound values per statement; stay well below. */
const MAX_VALUES = 8000;

/**
 * Writes whole rows in a few multi-row `INSERT … ON CONFLICT DO UPDATE` statements, every column
 * replaced: what `save` does row by row, without a SELECT and a statement per row, so a pulled page
 * of a thousand rows is a handful of statements (call inside a write).
 */
export async function upsertMany<T extends ObjectLiteral>(m: EntityManager, entity: EntitySchema<T>, rows: T[]): Promise<void> {
  const meta = m.connection.getMetadata(entity);
  const driver = m.connection.driver;
  const quote = (name: string) => `"${name}"`;
  const columns = meta.columns;
  const conflict = meta.primaryColumns.map((c) => quote(c.databaseName)).join(', ');
  const updates = columns.filter((c) => !c.isPrimary).map((c) => `${quote(c.databaseName)} = excluded.${quote(c.databaseName)}`);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const perStatement = Math.max(1, Math.floor(MAX_VALUES / columns.length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const values = chunk.flatMap((row) => columns.map((c) => driver.preparePersistentValue(c.getEntityValue(row), c) as unknown));
    await m.query(
      `INSERT INTO ${quote(meta.tableName)} (${columns.map((c) => quote(c.databaseName)).join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')} ON CONFLICT (${conflict}) DO UPDATE SET ${updates.join(', ')}`,
      values,
    );
  }
}

/** Removes rows of one table by id, a few statements for any number of ids (call inside a write). */
export async function deleteMany(m: EntityManager, entity: EntitySchema, ids: string[], table?: GenericTable): Promise<void> {
  for (let i = 0; i < ids.length; i += MAX_VALUES) {
    const chunk = ids.slice(i, i + MAX_VALUES);
    const qb = m.createQueryBuilder().delete().from(entity).where('id IN (:...ids)', { ids: chunk });
    if (table) {
      qb.andWhere('tableName = :table', { table });
    }
    await qb.execute();
  }
}

/** Back to the server's state after a refused change; returns whether anything changed. */
export async function restoreServerState(m: EntityManager, key: string): Promise<boolean> {
  const { table, id } = parseRowKey(key);
  const row = await m.findOneBy(ReplicaRowEntity, { tableName: table, id });
  if (!row) {
    return false;
  }
  if (row.serverCopy) {
    await m.save(ReplicaRowEntity, serverRowOf(table, JSON.parse(row.serverCopy) as SyncedRows[typeof table]));
    return true;
  }
  if (row.version === 0) {
    await removeRow(m, table, id);
    return true;
  }
  if (row.deletedLocally) {
    await m.update(ReplicaRowEntity, { tableName: table, id }, { deletedLocally: false });
    return true;
  }
  return false;
}

/** Staff members on this replica, by id. */
export async function staffById(m: EntityManager): Promise<Map<string, StaffDirectoryEntry>> {
  const rows = await listStored<'staff'>(queryRows(m, 'staff'));
  return new Map(rows.map((s) => [s.record.id, s.record]));
}
