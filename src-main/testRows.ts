/** Rows as the server sends them, for seeding a test replica as if they had been pulled. */
import type { AppointmentRecord } from '../shared/domain/appointment';
import type { MessageRecord, ThreadRecord } from '../shared/domain/message';
import type { PatientRecord } from '../shared/domain/patient';
import type { RecordEntry, RecordKind } from '../shared/domain/record';
import type { RenewalRecord } from '../shared/domain/renewal';
import type { StaffDirectoryEntry } from '../shared/domain/staff';
import type { ChangeRecord, MutationArgs, MutationName, SyncedRows, SyncedTable } from '../shared/sync/protocol';
import { OutboxEntity } from './replica/entities';
import type { OutboxRow } from './replica/entities';
import { applyChanges, rollBackRejected } from './replica/replicaApply';
import type { ConsoleCore } from './core';
import { TEST_PHYSICIAN, TEST_STAFF } from './testSupport';

export const PATIENT_ID = '44444444-4444-4444-8444-444444444444';
export const OTHER_PHYSICIAN_ID = '55555555-5555-4555-8555-555555555555';
const T0 = '2026-11-20T15:00:00.000Z';

let next = 0;
/** A fresh UUID-shaped id, readable in failures. */
export function testId(): string {
  next += 1;
  return `aaaaaaaa-0000-4000-8000-${String(next).padStart(12, '0')}`;
}

export const patientRow = (over: Partial<PatientRecord> = {}): PatientRecord => ({
  id: PATIENT_ID,
  givenName: 'Maria',
  familyName: 'Lopez',
  dateOfBirth: '1986-04-12',
  email: 'maria.lopez@example.com',
  phone: null,
  version: 1,
  updatedAt: T0,
  ...over,
});

export const staffRow = (over: Partial<StaffDirectoryEntry> = {}): StaffDirectoryEntry => ({
  id: TEST_PHYSICIAN.id,
  displayName: TEST_PHYSICIAN.displayName,
  role: 'physician',
  active: true,
  version: 1,
  updatedAt: T0,
  ...over,
});

/** The directory every test starts with: Dr. Patel, Dr. Kim and the desk. */
export const DIRECTORY: StaffDirectoryEntry[] = [
  staffRow(),
  staffRow({ id: OTHER_PHYSICIAN_ID, displayName: 'Dr. Lee Kim' }),
  staffRow({ id: TEST_STAFF.id, displayName: TEST_STAFF.displayName, role: 'receptionist' }),
];

export const appointmentRow = (over: Partial<AppointmentRecord> = {}): AppointmentRecord => ({
  id: testId(),
  patientId: PATIENT_ID,
  physicianId: null,
  preferredPhysicianId: null,
  reason: 'Knee pain',
  preferredTimes: 'Weekday mornings',
  start: null,
  end: null,
  status: 'requested',
  staffNote: null,
  cancelledBy: null,
  requestedAt: T0,
  version: 1,
  updatedAt: T0,
  ...over,
});

export const renewalRow = (medicationId: string, over: Partial<RenewalRecord> = {}): RenewalRecord => ({
  id: testId(),
  patientId: PATIENT_ID,
  medicationId,
  medicationName: 'Lisinopril',
  pharmacy: 'Main St Pharmacy',
  note: '',
  status: 'requested',
  decisionNote: null,
  decidedById: null,
  decidedAt: null,
  requestedAt: T0,
  version: 1,
  updatedAt: T0,
  ...over,
});

export const threadRow = (over: Partial<ThreadRecord> = {}): ThreadRecord => ({
  id: testId(),
  patientId: PATIENT_ID,
  subject: 'Question about my dose',
  assignedStaffId: null,
  status: 'open',
  lastMessageAt: T0,
  unreadForStaff: 1,
  unreadForPatient: 0,
  createdAt: T0,
  version: 1,
  updatedAt: T0,
  ...over,
});

export const messageRow = (threadId: string, over: Partial<MessageRecord> = {}): MessageRecord => ({
  id: testId(),
  threadId,
  patientId: PATIENT_ID,
  authorKind: 'patient',
  authorStaffId: null,
  authorName: 'Maria Lopez',
  body: 'Should I take it in the morning?',
  sentAt: T0,
  readAt: null,
  version: 1,
  updatedAt: T0,
  ...over,
});

const ENTRY_FIELDS: { [K in RecordKind]: Omit<RecordEntry<K>, 'id' | 'patientId' | 'version' | 'updatedAt'> } = {
  problem: { name: 'Hypertension', status: 'active', onsetDate: '2020-03-01', note: '' },
  medication: { name: 'Lisinopril', dose: '10 mg', instructions: 'Once a day', prescriberName: 'Dr. Sam Patel', refillsLeft: 1, active: true },
  allergy: { substance: 'Penicillin', reaction: 'Hives', severity: 'moderate' },
  immunization: { vaccine: 'Influenza', date: '2025-10-01', note: '' },
  labResult: { test: 'LDL cholesterol', value: '162', unit: 'mg/dL', referenceRange: '< 130', flag: 'high', date: '2025-11-01' },
  visitSummary: { date: '2025-11-02', physicianName: 'Dr. Sam Patel', reason: 'Check-up', summary: 'Blood pressure well controlled.' },
};

export function entryRow<K extends RecordKind>(kind: K, over: Partial<RecordEntry<K>> = {}): RecordEntry<K> {
  return { id: testId(), patientId: PATIENT_ID, version: 1, updatedAt: T0, ...ENTRY_FIELDS[kind], ...over } as RecordEntry<K>;
}

let seq = 0;
/** Upserts as one pull page would. */
export function upserts<T extends SyncedTable>(table: T, rows: SyncedRows[T][]): ChangeRecord[] {
  return rows.map((row) => ({ table, seq: (seq += 1), op: 'upsert', row }) as ChangeRecord);
}

/** Applies changes to the replica as a pull would. */
export async function pullInto(core: ConsoleCore, changes: ChangeRecord[]): Promise<void> {
  await core.db.write((m) => applyChanges(m, core.outbox, changes));
}

/** The patient Maria Lopez and the staff directory, as if pulled. */
export async function seedClinic(core: ConsoleCore): Promise<void> {
  await pullInto(core, [...upserts('patient', [patientRow()]), ...upserts('staff', DIRECTORY)]);
}

export async function outboxRows(core: ConsoleCore): Promise<OutboxRow[]> {
  return core.db.read((m) => m.find(OutboxEntity, { order: { seq: 'ASC' } }));
}

export function argsOf<N extends MutationName>(row: OutboxRow | undefined, name: N): MutationArgs[N] {
  if (row?.name !== name) {
    throw new Error(`expected a ${name} entry, got ${row?.name ?? 'none'}`);
  }
  return JSON.parse(row.args) as MutationArgs[N];
}

/** As if the server had refused the change with this seq: marks it and rolls back like a push would. */
export async function refuse(core: ConsoleCore, seqNumber: number, reason: string): Promise<void> {
  await core.db.write(async (m) => {
    await m.update(OutboxEntity, { seq: seqNumber }, { status: 'rejected', error: reason, errorCode: 'conflict', resolvedAt: new Date().toISOString() });
    await rollBackRejected(m, core.outbox, await m.findBy(OutboxEntity, { seq: seqNumber }));
  });
}
