/**
 * Applies what the server says to the replica without losing local changes that wait to be
 * pushed: a row with pending outbox entries keeps showing the local state, and the server's
 * copy is kept beside it in `serverCopy` until the change is accepted or rejected.
 */
import type { EntityManager } from 'typeorm';
import { Brackets, In, Not } from 'typeorm';
import type { InvitationRecord, PatientRecord } from '../../shared/domain/patient';
import { SYNCED_TABLES } from '../../shared/sync/protocol';
import type { ChangeRecord, SyncedTable } from '../../shared/sync/protocol';
import { LocalInvitationEntity, LocalPatientEntity, ReplicaRowEntity } from './entities';
import type { GenericTable, LocalInvitationRow, LocalPatientRow, OutboxRow, ReplicaRow } from './entities';
import { invitationRowOf, patientRowOf } from './records';
import { deleteMany, parseRowKey, restoreServerState, rowKey, serverRowOf, upsertMany } from './replicaRows';
import type { OutboxStatusView, PendingRows } from './outbox';

type Pending = Pick<OutboxStatusView, 'pendingRows'>;
import { PATIENT_MUTATIONS } from './outbox';

const KNOWN_TABLES = new Set<string>(SYNCED_TABLES);

/** A new server epoch: drop everything that came from the old server, keep rows with unsent changes. */
export async function clearReplicaForReset(m: EntityManager, outbox: Pending): Promise<void> {
  const pending = await outbox.pendingRows(m);
  for (const [entity, keep] of [
    [LocalPatientEntity, pending.patients],
    [LocalInvitationEntity, pending.invitations],
  ] as const) {
    const remove = m.createQueryBuilder().delete().from(entity);
    if (keep.size > 0) {
      remove.where({ id: Not(In([...keep])) });
    }
    await remove.execute();
    // What stays is local-only as far as the new server knows.
    await m.createQueryBuilder().update(entity).set({ serverCopy: null }).execute();
  }
  const keepByTable = new Map<string, string[]>();
  for (const { table, id } of [...pending.rows.keys()].map(parseRowKey)) {
    keepByTable.set(table, [...(keepByTable.get(table) ?? []), id]);
  }
  const dropOthers = m.createQueryBuilder().delete().from(ReplicaRowEntity);
  if (keepByTable.size > 0) {
    // Keep each row a waiting change shows on; drop the rest.
    dropOthers.where(
      new Brackets((qb) => {
        [...keepByTable].forEach(([table, ids], i) => {
          qb.andWhere(`NOT (tableName = :t${i} AND id IN (:...ids${i}))`, { [`t${i}`]: table, [`ids${i}`]: ids });
        });
      }),
    );
  }
  await dropOthers.execute();
  await m.createQueryBuilder().update(ReplicaRowEntity).set({ serverCopy: null }).execute();
}

/** A pulled row's key: "table:id". */
function keyOf(change: ChangeRecord): string {
  return `${change.table}:${change.op === 'delete' ? change.id : change.row.id}`;
}

/**
 * A pulled row whose local change still waits keeps showing it: only its server copy is
 * refreshed. Returns false when there is no such row here (it is then written as pulled).
 */
async function refreshServerCopy(m: EntityManager, change: Extract<ChangeRecord, { op: 'upsert' }>): Promise<boolean> {
  const serverCopy = JSON.stringify(change.row);
  const id = change.row.id;
  if (change.table === 'patient' || change.table === 'invitation') {
    const entity = change.table === 'patient' ? LocalPatientEntity : LocalInvitationEntity;
    return ((await m.update(entity, { id }, { serverCopy })).affected ?? 0) > 0;
  }
  return ((await m.update(ReplicaRowEntity, { tableName: change.table, id }, { serverCopy })).affected ?? 0) > 0;
}

function hasPending(pending: PendingRows, change: Extract<ChangeRecord, { op: 'upsert' }>): boolean {
  if (change.table === 'patient') {
    return pending.patients.has(change.row.id);
  }
  if (change.table === 'invitation') {
    return pending.invitations.has(change.row.id);
  }
  return pending.rows.has(rowKey(change.table, change.row.id));
}

/**
 * Applies one pull page's changes; returns the tables that changed. Rows are written in bulk, a
 * few statements per table (a catch-up page holds a thousand rows); a row with a waiting local
 * change keeps it, with the server's copy beside it. Each row's last change in the page wins.
 */
export async function applyChanges(m: EntityManager, outbox: Pending, changes: ChangeRecord[]): Promise<Set<string>> {
  const tables = new Set<string>();
  if (changes.length === 0) {
    return tables;
  }
  const latest = new Map<string, ChangeRecord>();
  for (const change of changes) {
    // A table this console does not know (a newer server on the same protocol version): nothing shows it.
    if (KNOWN_TABLES.has(change.table)) {
      tables.add(change.table);
      latest.set(keyOf(change), change);
    }
  }
  const pending = await outbox.pendingRows(m);
  const patients: LocalPatientRow[] = [];
  const invitations: LocalInvitationRow[] = [];
  const rows: ReplicaRow[] = [];
  const deleted = new Map<SyncedTable, string[]>();
  for (const change of latest.values()) {
    if (change.op === 'delete') {
      deleted.set(change.table, [...(deleted.get(change.table) ?? []), change.id]);
    } else if (hasPending(pending, change) && (await refreshServerCopy(m, change))) {
      continue;
    } else if (change.table === 'patient') {
      patients.push(patientRowOf(change.row));
    } else if (change.table === 'invitation') {
      invitations.push(invitationRowOf(change.row));
    } else {
      rows.push(serverRowOf<GenericTable>(change.table, change.row));
    }
  }
  for (const [table, ids] of deleted) {
    if (table === 'patient' || table === 'invitation') {
      await deleteMany(m, table === 'patient' ? LocalPatientEntity : LocalInvitationEntity, ids);
    } else {
      await deleteMany(m, ReplicaRowEntity, ids, table);
    }
  }
  await upsertMany(m, LocalPatientEntity, patients);
  await upsertMany(m, LocalInvitationEntity, invitations);
  await upsertMany(m, ReplicaRowEntity, rows);
  return tables;
}

/**
 * After the server rejected changes: each row they touched that has no other pending change goes
 * back to the server's copy, or, if the server never had it, is removed. Returns the tables changed.
 */
export async function rollBackRejected(m: EntityManager, outbox: Pending, rejected: OutboxRow[]): Promise<Set<string>> {
  const tables = new Set<string>();
  if (rejected.length === 0) {
    return tables;
  }
  const pending = await outbox.pendingRows(m);
  for (const entry of rejected) {
    if (entry.patientId && PATIENT_MUTATIONS.includes(entry.name) && !pending.patients.has(entry.patientId)) {
      const row = await m.findOneBy(LocalPatientEntity, { id: entry.patientId });
      if (row?.serverCopy) {
        await m.save(LocalPatientEntity, patientRowOf(JSON.parse(row.serverCopy) as PatientRecord));
        tables.add('patient');
      } else if (row && row.version === 0) {
        await m.delete(LocalPatientEntity, { id: row.id });
        tables.add('patient');
      }
    }
    if (entry.invitationId && !pending.invitations.has(entry.invitationId)) {
      const row = await m.findOneBy(LocalInvitationEntity, { id: entry.invitationId });
      if (row?.serverCopy) {
        await m.save(LocalInvitationEntity, invitationRowOf(JSON.parse(row.serverCopy) as InvitationRecord));
        tables.add('invitation');
      } else if (row && row.version === 0) {
        await m.delete(LocalInvitationEntity, { id: row.id });
        tables.add('invitation');
      }
    }
    for (const key of entry.rowKeys ? (JSON.parse(entry.rowKeys) as string[]) : []) {
      if (!pending.rows.has(key) && (await restoreServerState(m, key))) {
        tables.add(parseRowKey(key).table);
      }
    }
  }
  return tables;
}
