/** Server rows → the records consoles receive. Only what staff may see: never a hash or token. */
import type { EntityManager } from 'typeorm';
import { In, MoreThanOrEqual } from 'typeorm';
import type { AppointmentRecord } from '../../../../shared/domain/appointment';
import type { MessageRecord, ThreadRecord } from '../../../../shared/domain/message';
import type { InvitationRecord, PatientRecord } from '../../../../shared/domain/patient';
import { RECORD_KINDS } from '../../../../shared/domain/record';
import type { RecordEntry, RecordFields, RecordKind } from '../../../../shared/domain/record';
import type { RenewalRecord } from '../../../../shared/domain/renewal';
import type { StaffDirectoryEntry } from '../../../../shared/domain/staff';
import { AppointmentEntity, MessageEntity, MessageThreadEntity, RecordEntryEntity, RenewalRequestEntity } from '../../../../shared/node/entities/clinical';
import type { AppointmentRow, MessageRow, MessageThreadRow, RecordEntryRow, RenewalRequestRow } from '../../../../shared/node/entities/clinical';
import { ChangeLogEntity, InvitationEntity, PatientEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import type { InvitationRow, PatientRow, StaffUserRow } from '../../../../shared/node/entities/server';
import { SYNCED_TABLES } from '../../../../shared/sync/protocol';
import { fingerprint } from './changeLog';
import type { ChangeRecord, SyncedRows, SyncedTable } from '../../../../shared/sync/protocol';

export function patientRecord(r: PatientRow): PatientRecord {
  return { id: r.id, givenName: r.givenName, familyName: r.familyName, dateOfBirth: r.dateOfBirth, email: r.email, phone: r.phone, language: r.language ?? null, version: r.version, updatedAt: r.updatedAt };
}

export function invitationRecord(r: InvitationRow): InvitationRecord {
  return { id: r.id, patientId: r.patientId, status: r.status, statusChangedAt: r.statusChangedAt, sentAt: r.sentAt, expiresAt: r.expiresAt, lastError: r.lastError, deliveryState: r.deliveryState, version: r.version };
}

export function staffDirectoryEntry(r: StaffUserRow): StaffDirectoryEntry {
  return { id: r.id, displayName: r.displayName, role: r.role, active: r.active, version: r.version, updatedAt: r.updatedAt };
}

export function appointmentRecord(r: AppointmentRow): AppointmentRecord {
  return {
    id: r.id,
    patientId: r.patientId,
    physicianId: r.physicianId,
    preferredPhysicianId: r.preferredPhysicianId,
    reason: r.reason,
    preferredTimes: r.preferredTimes,
    start: r.startAt,
    end: r.endAt,
    status: r.status,
    staffNote: r.staffNote,
    cancelledBy: r.cancelledBy,
    requestedAt: r.requestedAt,
    version: r.version,
    updatedAt: r.updatedAt,
  };
}

export function renewalRecord(r: RenewalRequestRow): RenewalRecord {
  return {
    id: r.id,
    patientId: r.patientId,
    medicationId: r.medicationId,
    medicationName: r.medicationName,
    pharmacy: r.pharmacy,
    note: r.note,
    status: r.status,
    decisionNote: r.decisionNote,
    decidedById: r.decidedById,
    decidedAt: r.decidedAt,
    requestedAt: r.requestedAt,
    version: r.version,
    updatedAt: r.updatedAt,
  };
}

export function threadRecord(r: MessageThreadRow): ThreadRecord {
  return {
    id: r.id,
    patientId: r.patientId,
    subject: r.subject,
    assignedStaffId: r.assignedStaffId,
    status: r.status,
    lastMessageAt: r.lastMessageAt,
    unreadForStaff: r.unreadForStaff,
    unreadForPatient: r.unreadForPatient,
    createdAt: r.createdAt,
    version: r.version,
    updatedAt: r.updatedAt,
  };
}

export function messageRecord(r: MessageRow): MessageRecord {
  return {
    id: r.id,
    threadId: r.threadId,
    patientId: r.patientId,
    authorKind: r.authorKind,
    authorStaffId: r.authorStaffId,
    authorName: r.authorName,
    body: r.body,
    sentAt: r.sentAt,
    readAt: r.readAt,
    version: r.version,
    updatedAt: r.updatedAt,
  };
}

export function recordFieldsOf<K extends RecordKind>(r: RecordEntryRow & { kind: K }): RecordFields[K] {
  return JSON.parse(r.fields) as RecordFields[K];
}

export function recordEntry<K extends RecordKind>(r: RecordEntryRow & { kind: K }): RecordEntry<K> {
  return { ...recordFieldsOf(r), id: r.id, patientId: r.patientId, version: r.version, updatedAt: r.updatedAt };
}

type Loaded<T extends SyncedTable> = Map<string, SyncedRows[T]>;
type Loader = (m: EntityManager, ids: string[], clinicId: string) => Promise<Map<string, SyncedRows[SyncedTable]>>;

/** Live (not deleted) rows of one table by id; a missing id means the row is gone (a tombstone). */
function loader<R extends { id: string; deletedAt: string | null }, T extends SyncedTable>(
  find: (m: EntityManager, ids: string[], clinicId: string) => Promise<R[]>,
  toRecord: (row: R) => SyncedRows[T],
): Loader {
  return async (m, ids, clinicId) => {
    const rows = ids.length === 0 ? [] : await find(m, ids, clinicId);
    const map: Loaded<T> = new Map();
    for (const row of rows) {
      if (!row.deletedAt) {
        map.set(row.id, toRecord(row));
      }
    }
    return map as Map<string, SyncedRows[SyncedTable]>;
  };
}

const recordLoader = (kind: RecordKind): Loader =>
  loader(
    (m, ids, clinicId) => m.findBy(RecordEntryEntity, { id: In(ids), clinicId, kind }),
    (row: RecordEntryRow) => recordEntry(row),
  );

export const SYNCED_ROW_LOADERS: Record<SyncedTable, Loader> = {
  patient: loader((m, ids, clinicId) => m.findBy(PatientEntity, { id: In(ids), clinicId }), patientRecord),
  invitation: loader((m, ids, clinicId) => m.findBy(InvitationEntity, { id: In(ids), clinicId }), invitationRecord),
  staff: loader((m, ids, clinicId) => m.findBy(StaffUserEntity, { id: In(ids), clinicId }), staffDirectoryEntry),
  appointment: loader((m, ids, clinicId) => m.findBy(AppointmentEntity, { id: In(ids), clinicId }), appointmentRecord),
  renewal: loader((m, ids, clinicId) => m.findBy(RenewalRequestEntity, { id: In(ids), clinicId }), renewalRecord),
  thread: loader((m, ids, clinicId) => m.findBy(MessageThreadEntity, { id: In(ids), clinicId }), threadRecord),
  message: loader((m, ids, clinicId) => m.findBy(MessageEntity, { id: In(ids), clinicId }), messageRecord),
  ...(Object.fromEntries(RECORD_KINDS.map((kind) => [kind, recordLoader(kind)])) as Record<RecordKind, Loader>),
};

/**
 * Up to `limit` change-log entries after seq `from`, as changes: each row once, with its current
 * state (or a delete when it is gone), in the order of its last change. `last` is the seq of the
 * last entry read (`from` when none) and `entries` how many were read. The same statement reads
 * the entry at `from`, so the fingerprints of both ends (`fromCheck`, `lastCheck`; null where the
 * log has no entry) come without another query.
 */
export async function readChanges(
  m: EntityManager,
  clinicId: string,
  from: number,
  limit: number,
): Promise<{ changes: ChangeRecord[]; last: number; entries: number; fromCheck: string | null; lastCheck: string | null }> {
  const read = await m.find(ChangeLogEntity, { where: { seq: MoreThanOrEqual(Math.max(from, 1)) }, order: { seq: 'ASC' }, take: limit + 1 });
  const fromEntry = read[0]?.seq === from ? read[0] : undefined;
  const log = read.filter((entry) => entry.seq > from).slice(0, limit);
  const fromCheck = fromEntry ? fingerprint(fromEntry) : null;
  const lastEntry = log.at(-1);
  const lastSeqByRow = new Map<string, { table: SyncedTable; rowId: string; seq: number }>();
  for (const entry of log) {
    if ((SYNCED_TABLES as readonly string[]).includes(entry.tableName)) {
      lastSeqByRow.set(`${entry.tableName}:${entry.rowId}`, { table: entry.tableName as SyncedTable, rowId: entry.rowId, seq: entry.seq });
    }
  }
  const entries = [...lastSeqByRow.values()].sort((a, b) => a.seq - b.seq);
  const rows = new Map<SyncedTable, Map<string, SyncedRows[SyncedTable]>>();
  for (const table of SYNCED_TABLES) {
    const ids = entries.filter((e) => e.table === table).map((e) => e.rowId);
    rows.set(table, await SYNCED_ROW_LOADERS[table](m, ids, clinicId));
  }
  const changes: ChangeRecord[] = entries.map((e) => {
    const row = rows.get(e.table)?.get(e.rowId);
    return row ? ({ table: e.table, seq: e.seq, op: 'upsert', row } as ChangeRecord) : { table: e.table, seq: e.seq, op: 'delete', id: e.rowId };
  });
  return { changes, last: lastEntry?.seq ?? from, entries: log.length, fromCheck, lastCheck: lastEntry ? fingerprint(lastEntry) : fromCheck };
}
