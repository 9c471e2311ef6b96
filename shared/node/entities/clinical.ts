/**
 * The portal server's patient self-service tables: appointments, renewal requests, message
 * threads and messages, and the medical record. Every one is synced to consoles, so each row has
 * id, clinicId, version, updatedAt and deletedAt (a tombstone for sync).
 */
import { EntitySchema } from 'typeorm';
import type { AppointmentStatus } from '../../domain/appointment';
import type { ThreadStatus } from '../../domain/message';
import type { RecordKind } from '../../domain/record';
import type { RenewalStatus } from '../../domain/renewal';

const id = { type: 'varchar', length: 36, primary: true } as const;
const ref = { type: 'varchar', length: 36 } as const;
const optionalRef = { type: 'varchar', length: 36, nullable: true } as const;
const instant = { type: 'varchar', length: 30 } as const;
const optionalInstant = { type: 'varchar', length: 30, nullable: true } as const;
const syncColumns = {
  clinicId: ref,
  version: { type: 'integer' },
  createdAt: instant,
  updatedAt: instant,
  deletedAt: optionalInstant,
} as const;

interface SyncedRow {
  id: string;
  clinicId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

/** `startAt`/`endAt` rather than start/end: END is an SQL keyword. */
export interface AppointmentRow extends SyncedRow {
  patientId: string;
  physicianId: string | null;
  preferredPhysicianId: string | null;
  reason: string;
  preferredTimes: string;
  startAt: string | null;
  endAt: string | null;
  status: AppointmentStatus;
  staffNote: string | null;
  cancelledBy: 'patient' | 'staff' | null;
  requestedAt: string;
}
export const AppointmentEntity = new EntitySchema<AppointmentRow>({
  name: 'Appointment',
  tableName: 'appointment',
  columns: {
    id,
    ...syncColumns,
    patientId: ref,
    physicianId: optionalRef,
    preferredPhysicianId: optionalRef,
    reason: { type: 'varchar', length: 200 },
    preferredTimes: { type: 'varchar', length: 200 },
    startAt: optionalInstant,
    endAt: optionalInstant,
    status: { type: 'varchar', length: 16 },
    staffNote: { type: 'varchar', length: 300, nullable: true },
    cancelledBy: { type: 'varchar', length: 8, nullable: true },
    requestedAt: instant,
  },
});

export interface RenewalRequestRow extends SyncedRow {
  patientId: string;
  medicationId: string;
  medicationName: string;
  pharmacy: string;
  note: string;
  status: RenewalStatus;
  decisionNote: string | null;
  decidedById: string | null;
  decidedAt: string | null;
  requestedAt: string;
}
export const RenewalRequestEntity = new EntitySchema<RenewalRequestRow>({
  name: 'RenewalRequest',
  tableName: 'renewal_request',
  columns: {
    id,
    ...syncColumns,
    patientId: ref,
    medicationId: ref,
    medicationName: { type: 'varchar', length: 120 },
    pharmacy: { type: 'varchar', length: 120 },
    note: { type: 'varchar', length: 500 },
    status: { type: 'varchar', length: 16 },
    decisionNote: { type: 'varchar', length: 300, nullable: true },
    decidedById: optionalRef,
    decidedAt: optionalInstant,
    requestedAt: instant,
  },
});

export interface MessageThreadRow extends SyncedRow {
  patientId: string;
  subject: string;
  assignedStaffId: string | null;
  status: ThreadStatus;
  lastMessageAt: string;
  unreadForStaff: number;
  unreadForPatient: number;
}
export const MessageThreadEntity = new EntitySchema<MessageThreadRow>({
  name: 'MessageThread',
  tableName: 'message_thread',
  columns: {
    id,
    ...syncColumns,
    patientId: ref,
    subject: { type: 'varchar', length: 120 },
    assignedStaffId: optionalRef,
    status: { type: 'varchar', length: 16 },
    lastMessageAt: instant,
    unreadForStaff: { type: 'integer' },
    unreadForPatient: { type: 'integer' },
  },
});

export interface MessageRow extends SyncedRow {
  threadId: string;
  patientId: string;
  authorKind: 'patient' | 'staff';
  authorStaffId: string | null;
  authorName: string;
  /** Plain text exactly as written; never rendered as HTML by the server. */
  body: string;
  sentAt: string;
  readAt: string | null;
}
export const MessageEntity = new EntitySchema<MessageRow>({
  name: 'Message',
  tableName: 'message',
  columns: {
    id,
    ...syncColumns,
    threadId: ref,
    patientId: ref,
    authorKind: { type: 'varchar', length: 8 },
    authorStaffId: optionalRef,
    authorName: { type: 'varchar', length: 170 },
    body: { type: 'text' },
    sentAt: instant,
    readAt: optionalInstant,
  },
});

/**
 * One table for the six record sections: `kind` says which, `fields` holds the section's fields as
 * JSON, validated by RECORD_SCHEMAS[kind] before every write. Synced under the kind's table name.
 */
export interface RecordEntryRow extends SyncedRow {
  patientId: string;
  kind: RecordKind;
  fields: string;
  /** The physician who last saved it. */
  updatedById: string | null;
}
export const RecordEntryEntity = new EntitySchema<RecordEntryRow>({
  name: 'RecordEntry',
  tableName: 'record_entry',
  columns: {
    id,
    ...syncColumns,
    patientId: ref,
    kind: { type: 'varchar', length: 16 },
    fields: { type: 'text' },
    updatedById: optionalRef,
  },
});

export const CLINICAL_ENTITIES = [AppointmentEntity, RenewalRequestEntity, MessageThreadEntity, MessageEntity, RecordEntryEntity];
