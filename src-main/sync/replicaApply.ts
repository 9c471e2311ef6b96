/**
 * Applies what the server says to the replica without losing local changes that wait to be
 * pushed: a row with pending outbox entries keeps showing the local state, and the server's
 * copy is kept beside it in `serverCopy` until the change is accepted or rejected.
 */
import type { EntityManager } from 'typeorm';
import { Brackets, In, Not } from 'typeorm';
import type { InvitationRecord, PatientRecord } from '../../shared/domain/patient';
import { SYNCED_TABLES } from '../../shared/sync/protocol';
import type { ChangeRecord } from '../../shared/sync/protocol';
import { LocalInvitationEntity, LocalPatientEntity, ReplicaRowEntity } from '../db/entities';
import type { GenericTable, OutboxRow } from '../db/entities';
import { invitationRowOf, patientRowOf } from '../db/records';
import { parseRowKey, removeRow, restoreServerState, rowKey, upsertFromServer } from '../db/replicaRows';
import type { Outbox } from './outbox';
import { PATIENT_MUTATIONS } from './outbox';

const KNOWN_TABLES = new Set<string>(SYNCED_TABLES);

/** A new server epoch: drop everything that came from the old server, keep rows with unsent changes. */
export async function clearReplicaForReset(m: EntityManager, outbox: Outbox): Promise<void> {
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

/** Applies one pull page's changes; returns the tables that changed. */
export async function applyChanges(m: EntityManager, outbox: Outbox, changes: ChangeRecord[]): Promise<Set<string>> {
  const tables = new Set<string>();
  if (changes.length === 0) {
    return tables;
  }
  const pending = await outbox.pendingRows(m);
  for (const change of changes) {
    if (!KNOWN_TABLES.has(change.table)) {
      // A table this console does not know (a newer server on the same protocol version): nothing shows it.
      continue;
    }
    tables.add(change.table);
    if (change.op === 'delete') {
      if (change.table === 'patient' || change.table === 'invitation') {
        await m.delete(change.table === 'patient' ? LocalPatientEntity : LocalInvitationEntity, { id: change.id });
      } else {
        await removeRow(m, change.table, change.id);
      }
    } else if (change.table === 'patient') {
      await upsertPatient(m, change.row, pending.patients.has(change.row.id));
    } else if (change.table === 'invitation') {
      await upsertInvitation(m, change.row, pending.invitations.has(change.row.id));
    } else {
      await upsertFromServer<GenericTable>(m, change.table, change.row, pending.rows.has(rowKey(change.table, change.row.id)));
    }
  }
  return tables;
}

async function upsertPatient(m: EntityManager, record: PatientRecord, keepLocal: boolean): Promise<void> {
  const existing = keepLocal ? await m.findOneBy(LocalPatientEntity, { id: record.id }) : null;
  if (existing) {
    await m.update(LocalPatientEntity, { id: record.id }, { serverCopy: JSON.stringify(record) });
  } else {
    await m.save(LocalPatientEntity, patientRowOf(record));
  }
}

async function upsertInvitation(m: EntityManager, record: InvitationRecord, keepLocal: boolean): Promise<void> {
  const existing = keepLocal ? await m.findOneBy(LocalInvitationEntity, { id: record.id }) : null;
  if (existing) {
    await m.update(LocalInvitationEntity, { id: record.id }, { serverCopy: JSON.stringify(record) });
  } else {
    await m.save(LocalInvitationEntity, invitationRowOf(record));
  }
}

/**
 * After the server rejected changes: each row they touched that has no other pending change goes
 * back to the server's copy, or, if the server never had it, is removed. Returns the tables changed.
 */
export async function rollBackRejected(m: EntityManager, outbox: Outbox, rejected: OutboxRow[]): Promise<Set<string>> {
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
