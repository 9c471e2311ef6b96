/**
 * The console's local replica. Patient and invitation rows mirror what the server sends
 * (PatientRecord / InvitationRecord) plus a few local-only columns; every other synced table
 * (appointments, renewals, messages, the record, the staff directory) lives in replica_row; the outbox holds staff
 * changes that are waiting to be pushed; sync_state is a small key/value table.
 */
import { EntitySchema } from 'typeorm';
import type { InvitationDeliveryState, InvitationStatus } from '../../shared/domain/invitation';
import type { PatientLanguage } from '../../shared/domain/language';
import type { MutationName, SyncedTable } from '../../shared/sync/protocol';

const id = { type: 'varchar', length: 36, primary: true } as const;
const instant = { type: 'varchar', length: 30 } as const;
const optionalInstant = { type: 'varchar', length: 30, nullable: true } as const;

export interface LocalPatientRow {
  id: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  email: string;
  phone: string | null;
  /** The patient's preferred language (issue 15); null: not chosen. */
  language: PatientLanguage | null;
  /** Server-assigned; 0 for a patient created on this console and not yet pulled back. */
  version: number;
  updatedAt: string;
  /** Lower-cased, accent-free names, email and date of birth: what search matches against. */
  searchText: string;
  /**
   * The last server copy (JSON PatientRecord) while the visible columns show a local change that
   * is not yet accepted; null when the row shows the server's state. Restored when the change is rejected.
   */
  serverCopy: string | null;
}
export const LocalPatientEntity = new EntitySchema<LocalPatientRow>({
  name: 'LocalPatient',
  tableName: 'patient',
  columns: {
    id,
    givenName: { type: 'varchar', length: 80 },
    familyName: { type: 'varchar', length: 80 },
    dateOfBirth: { type: 'varchar', length: 10 },
    email: { type: 'varchar', length: 254 },
    phone: { type: 'varchar', length: 32, nullable: true },
    language: { type: 'varchar', length: 8, nullable: true },
    version: { type: 'integer' },
    updatedAt: instant,
    searchText: { type: 'varchar', length: 500 },
    serverCopy: { type: 'text', nullable: true },
  },
});

export interface LocalInvitationRow {
  id: string;
  patientId: string;
  status: InvitationStatus;
  statusChangedAt: string;
  sentAt: string | null;
  expiresAt: string | null;
  lastError: string | null;
  deliveryState: InvitationDeliveryState | null;
  version: number;
  /** See LocalPatientRow.serverCopy (JSON InvitationRecord). */
  serverCopy: string | null;
}
export const LocalInvitationEntity = new EntitySchema<LocalInvitationRow>({
  name: 'LocalInvitation',
  tableName: 'invitation',
  columns: {
    id,
    patientId: { type: 'varchar', length: 36 },
    status: { type: 'varchar', length: 16 },
    statusChangedAt: instant,
    sentAt: optionalInstant,
    expiresAt: optionalInstant,
    lastError: { type: 'text', nullable: true },
    deliveryState: { type: 'varchar', length: 24, nullable: true },
    version: { type: 'integer' },
    serverCopy: { type: 'text', nullable: true },
  },
});

/** 'dismissed': a rejected change the staff member has dealt with; no longer listed. */
/**
 * pending → applied | rejected (→ dismissed) — or, when its author can no longer push from here,
 * held → resent (a new entry carries it) | discarded (an admin dropped it).
 */
export type OutboxStatus = 'pending' | 'applied' | 'rejected' | 'dismissed' | 'held' | 'resent' | 'discarded';

export interface OutboxRow {
  /** Contiguous per client, from 1: the mutation's seq. */
  seq: number;
  name: MutationName;
  argsVersion: number;
  /** JSON of MutationArgs[name]. */
  args: string;
  staffUserId: string;
  createdAt: string;
  status: OutboxStatus;
  /** The patient the change is about, so a patient row can show its waiting changes. */
  patientId: string | null;
  /** The invitation the change creates or revokes, if any. */
  invitationId: string | null;
  /** JSON list of the replica_row keys ("table:id") the change shows locally; null for patient/invitation changes. */
  rowKeys: string | null;
  /** What staff see for a rejected change, e.g. "Pre-register Maria Lopez". */
  description: string;
  /** The server's reason, for a rejected change. */
  error: string | null;
  errorCode: string | null;
  resolvedAt: string | null;
  /**
   * When a push first carried this entry. Set in a committed write before the request leaves: from
   * then on the server may hold it, so it is never folded into, rewritten or discarded.
   */
  sentAt: string | null;
  /** The author of a held change this entry sends again in the signed-in person's name. */
  enteredFor: string | null;
}
export const OutboxEntity = new EntitySchema<OutboxRow>({
  name: 'Outbox',
  tableName: 'outbox',
  columns: {
    seq: { type: 'integer', primary: true },
    name: { type: 'varchar', length: 40 },
    argsVersion: { type: 'integer' },
    args: { type: 'text' },
    staffUserId: { type: 'varchar', length: 36 },
    createdAt: instant,
    status: { type: 'varchar', length: 16 },
    patientId: { type: 'varchar', length: 36, nullable: true },
    invitationId: { type: 'varchar', length: 36, nullable: true },
    rowKeys: { type: 'text', nullable: true },
    description: { type: 'varchar', length: 300 },
    error: { type: 'text', nullable: true },
    errorCode: { type: 'varchar', length: 40, nullable: true },
    resolvedAt: optionalInstant,
    sentAt: optionalInstant,
    enteredFor: { type: 'varchar', length: 36, nullable: true },
  },
});

/** Synced tables kept generically in replica_row (patients and invitations have their own tables). */
export type GenericTable = Exclude<SyncedTable, 'patient' | 'invitation'>;

/**
 * One row of any other synced table: the record as JSON plus what queries need. Like the patient
 * table, `data` shows the local state and `serverCopy` keeps the server's while a change waits.
 */
export interface ReplicaRow {
  tableName: GenericTable;
  id: string;
  /** The patient the row belongs to (null for staff). */
  patientId: string | null;
  /** The row it belongs to: a message's thread. */
  parentId: string | null;
  /** JSON of SyncedRows[tableName]. */
  data: string;
  /** Server-assigned; 0 for a row made on this console and not yet pulled back. */
  version: number;
  updatedAt: string;
  serverCopy: string | null;
  /** Removed on this console, waiting to be sent: hidden, kept for a rollback. */
  deletedLocally: boolean;
}
export const ReplicaRowEntity = new EntitySchema<ReplicaRow>({
  name: 'ReplicaRow',
  tableName: 'replica_row',
  columns: {
    tableName: { type: 'varchar', length: 20, primary: true },
    id,
    patientId: { type: 'varchar', length: 36, nullable: true },
    parentId: { type: 'varchar', length: 36, nullable: true },
    data: { type: 'text' },
    version: { type: 'integer' },
    updatedAt: instant,
    serverCopy: { type: 'text', nullable: true },
    deletedLocally: { type: 'boolean', default: false },
  },
});

export interface SyncStateRow {
  key: string;
  value: string;
}
export const SyncStateEntity = new EntitySchema<SyncStateRow>({
  name: 'SyncState',
  tableName: 'sync_state',
  columns: {
    key: { type: 'varchar', length: 64, primary: true },
    value: { type: 'text' },
  },
});

export const REPLICA_ENTITIES = [LocalPatientEntity, LocalInvitationEntity, ReplicaRowEntity, OutboxEntity, SyncStateEntity];
