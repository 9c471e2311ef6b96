/**
 * The one write path for rows consoles keep a replica of (SYNCED_TABLES). Every insert or change
 * of such a row bumps its version, appends the change-log entry (in the same transaction) and
 * audits; a replica that pulls afterwards then equals the server's own row. Features never write
 * these tables by hand (writeSynced.test.ts checks the source).
 *
 * Columns consoles never see (secrets, sign-in counters: passwordHash, failedSignIns, failedTries,
 * tokenHash) may change without a version, through `updateUnsyncedColumns`, which refuses to touch a
 * synced column.
 */
import type { EntityManager, EntityTarget } from 'typeorm';
import { AppointmentEntity, MessageEntity, MessageThreadEntity, RecordEntryEntity, RenewalRequestEntity } from '../../../../shared/node/entities/clinical';
import type { AppointmentRow, MessageRow, MessageThreadRow, RecordEntryRow, RenewalRequestRow } from '../../../../shared/node/entities/clinical';
import { InvitationEntity, PatientEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import type { InvitationRow, PatientRow, StaffUserRow } from '../../../../shared/node/entities/server';
import type { SyncedTable } from '../../../../shared/sync/protocol';
import type { Actor } from '../audit/audit';
import { audit } from '../audit/audit';
import { WriteConflict } from '../../../../shared/node/db';
import { recordChange } from './changeLog';

/** The server row behind each synced table. */
export interface ServerSyncedRows {
  patient: PatientRow;
  invitation: InvitationRow;
  staff: StaffUserRow;
  appointment: AppointmentRow;
  renewal: RenewalRequestRow;
  thread: MessageThreadRow;
  message: MessageRow;
  problem: RecordEntryRow;
  medication: RecordEntryRow;
  allergy: RecordEntryRow;
  immunization: RecordEntryRow;
  labResult: RecordEntryRow;
  visitSummary: RecordEntryRow;
}

const ENTITY: { [T in SyncedTable]: EntityTarget<ServerSyncedRows[T]> } = {
  patient: PatientEntity,
  invitation: InvitationEntity,
  staff: StaffUserEntity,
  appointment: AppointmentEntity,
  renewal: RenewalRequestEntity,
  thread: MessageThreadEntity,
  message: MessageEntity,
  problem: RecordEntryEntity,
  medication: RecordEntryEntity,
  allergy: RecordEntryEntity,
  immunization: RecordEntryEntity,
  labResult: RecordEntryEntity,
  visitSummary: RecordEntryEntity,
};

/**
 * Server columns consoles never receive (see rows.ts): changing only these is not a synced change.
 * Every other column of a synced row is treated as synced, so a new column is synced by default.
 */
const UNSYNCED_COLUMNS: { [T in SyncedTable]?: readonly (keyof ServerSyncedRows[T])[] } = {
  staff: ['passwordHash', 'failedSignIns', 'lockedUntil', 'lastFailedSignInAt'],
  invitation: ['failedTries', 'tokenHash', 'registrationIdHash'],
};

/** Who writes, when, and for which console (null: a patient, or the server itself). */
export interface SyncedWriter {
  m: EntityManager;
  clinicId: string;
  actor: Actor;
  at: Date;
  clientId: string | null;
}

/**
 * What the audit log records for this write. `entity` defaults to the row itself. `null` is only
 * for a row written as part of a use case that audits itself under another row in the same
 * transaction (a reply's message beside its thread's audit), or for a read receipt, which is not an
 * audited action: say which in a comment.
 */
export type AuditNote = { action: string; entity?: { type: string; id: string }; detail?: string } | null;

const AUDIT_TYPE: Record<SyncedTable, string> = {
  patient: 'patient',
  invitation: 'invitation',
  staff: 'staff_user',
  appointment: 'appointment',
  renewal: 'renewal',
  thread: 'thread',
  message: 'message',
  problem: 'record_entry',
  medication: 'record_entry',
  allergy: 'record_entry',
  immunization: 'record_entry',
  labResult: 'record_entry',
  visitSummary: 'record_entry',
};

async function auditWrite(w: SyncedWriter, table: SyncedTable, rowId: string, note: AuditNote): Promise<void> {
  if (note) {
    await audit(w.m, w.clinicId, w.actor, note.action, note.entity ?? { type: AUDIT_TYPE[table], id: rowId }, w.at, note.detail);
  }
}

/** Inserts a new synced row at version 1. */
export async function insertSynced<T extends SyncedTable>(w: SyncedWriter, table: T, row: ServerSyncedRows[T], note: AuditNote): Promise<ServerSyncedRows[T]> {
  const inserted = { ...row, version: 1 };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeORM's insert type cannot follow the table → row mapping
  await w.m.insert(ENTITY[table], inserted as any);
  await recordChange(w.m, table, row.id, 1, 'upsert', w.clientId);
  await auditWrite(w, table, row.id, note);
  return inserted;
}

/** Fields a feature may change; version and updatedAt belong to this module. */
export type SyncedPatch<T extends SyncedTable> = Partial<Omit<ServerSyncedRows[T], 'id' | 'clinicId' | 'version' | 'updatedAt' | 'createdAt'>>;

/**
 * Changes a synced row read in this transaction (refused with a WriteConflict, and the transaction
 * run again, if it changed since): version + 1, updatedAt now, one change-log entry
 * (`delete` when the patch sets deletedAt, a tombstone consoles drop) and the audit. Returns the row as written.
 */
export async function updateSynced<T extends SyncedTable>(
  w: SyncedWriter,
  table: T,
  current: ServerSyncedRows[T],
  patch: SyncedPatch<T>,
  note: AuditNote,
): Promise<ServerSyncedRows[T]> {
  const version = current.version + 1;
  const updatedAt = w.at.toISOString();
  const set = { ...patch, version, updatedAt };
  // Only if the row is still the version read: on PostgreSQL another instance may have changed it
  // since (READ COMMITTED), and writing over it would lose that change and reuse its version. The
  // transaction then runs again on the fresh row (Database.write). On SQLite this cannot happen.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see insertSynced
  const result = await w.m.update(ENTITY[table], { id: current.id, version: current.version } as any, set as any);
  if (result.affected === 0) {
    throw new WriteConflict(`${table} ${current.id} is no longer at version ${current.version}`);
  }
  const updated = { ...current, ...set };
  await recordChange(w.m, table, current.id, version, updated.deletedAt ? 'delete' : 'upsert', w.clientId);
  await auditWrite(w, table, current.id, note);
  return updated;
}

/** Changes only columns consoles never see (no version, no change-log entry); a synced column is refused. */
export async function updateUnsyncedColumns<T extends SyncedTable>(m: EntityManager, table: T, id: string, patch: Partial<ServerSyncedRows[T]>): Promise<void> {
  const allowed = (UNSYNCED_COLUMNS[table] ?? []) as readonly string[];
  const synced = Object.keys(patch).filter((k) => !allowed.includes(k));
  if (synced.length > 0) {
    throw new Error(`updateUnsyncedColumns: ${synced.join(', ')} of ${table} reach consoles; use updateSynced`);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see insertSynced
  await m.update(ENTITY[table], { id } as any, patch as any);
}
