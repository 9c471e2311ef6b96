/**
 * The portal server's tables. Instants are ISO-8601 UTC strings in varchar columns, so SQLite and
 * PostgreSQL store and sort them the same way; dates of birth are `YYYY-MM-DD` in varchar(10).
 */
import { EntitySchema } from 'typeorm';
import { DEFAULT_MESSAGE_REPLIERS, DEFAULT_STAFF_TOKEN_IDLE_DAYS, DEFAULT_STAFF_TOKEN_LIFETIME_DAYS } from '../../domain/clinic';
import { CLINICAL_ENTITIES } from './clinical';
import { EmailChangeEntity } from './emailChange';
import { AccountRecoveryEntity } from './recovery';
import { SECOND_FACTOR_ENTITIES } from './secondFactor';
import { SECURITY_ENTITIES } from './security';
import type { MessageRepliers, PasswordPolicy, SecondFactorPolicy } from '../../domain/clinic';
import type { PatientLanguage } from '../../domain/language';
import type { InvitationDeliveryState, InvitationStatus } from '../../domain/invitation';
import type { StaffRole } from '../../domain/staff';

const id = { type: 'varchar', length: 36, primary: true } as const;
const clinicId = { type: 'varchar', length: 36 } as const;
const instant = { type: 'varchar', length: 30 } as const;
const optionalInstant = { type: 'varchar', length: 30, nullable: true } as const;
const hash = { type: 'varchar', length: 128 } as const;

export interface ClinicRow {
  id: string;
  name: string;
  phone: string;
  address: string;
  timeZone: string;
  passwordPolicy: PasswordPolicy;
  invitationLifetimeDays: number;
  /** How many hours before its start a patient may still cancel an appointment online. */
  appointmentCancelHours: number;
  staffTokenLifetimeDays: number;
  staffTokenIdleDays: number;
  messageRepliers: MessageRepliers;
  /** Who must use a second factor to sign in (issue 13). */
  secondFactorPolicy: SecondFactorPolicy;
  createdAt: string;
  updatedAt: string;
}
export const ClinicEntity = new EntitySchema<ClinicRow>({
  name: 'Clinic',
  tableName: 'clinic',
  columns: {
    id,
    name: { type: 'varchar', length: 120 },
    phone: { type: 'varchar', length: 32 },
    address: { type: 'varchar', length: 200 },
    timeZone: { type: 'varchar', length: 64 },
    passwordPolicy: { type: 'varchar', length: 16 },
    invitationLifetimeDays: { type: 'integer' },
    appointmentCancelHours: { type: 'integer', default: 24 },
    staffTokenLifetimeDays: { type: 'integer', default: DEFAULT_STAFF_TOKEN_LIFETIME_DAYS },
    staffTokenIdleDays: { type: 'integer', default: DEFAULT_STAFF_TOKEN_IDLE_DAYS },
    messageRepliers: { type: 'varchar', length: 32, default: DEFAULT_MESSAGE_REPLIERS },
    secondFactorPolicy: { type: 'varchar', length: 24, default: 'off' },
    createdAt: instant,
    updatedAt: instant,
  },
});

export interface StaffUserRow {
  id: string;
  clinicId: string;
  username: string;
  usernameNormalized: string;
  displayName: string;
  role: StaffRole;
  passwordHash: string;
  active: boolean;
  /** Sign-in lockout: failures since the last success, the lock they caused, the last failure (absent on insert: 0 and null). */
  failedSignIns?: number;
  lockedUntil?: string | null;
  lastFailedSignInAt?: string | null;
  /** Staff are synced to consoles as a directory (never the hash). */
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}
export const StaffUserEntity = new EntitySchema<StaffUserRow>({
  name: 'StaffUser',
  tableName: 'staff_user',
  columns: {
    id,
    clinicId,
    username: { type: 'varchar', length: 32 },
    usernameNormalized: { type: 'varchar', length: 32, unique: true },
    displayName: { type: 'varchar', length: 80 },
    role: { type: 'varchar', length: 16 },
    passwordHash: hash,
    active: { type: 'boolean' },
    failedSignIns: { type: 'integer', default: 0 },
    lockedUntil: optionalInstant,
    lastFailedSignInAt: optionalInstant,
    version: { type: 'integer', default: 1 },
    createdAt: instant,
    updatedAt: instant,
    deletedAt: optionalInstant,
  },
});

export interface DeviceRow {
  id: string;
  clinicId: string;
  staffUserId: string;
  name: string;
  tokenHash: string;
  createdAt: string;
  lastSeenAt: string;
  revokedAt: string | null;
}
export const DeviceEntity = new EntitySchema<DeviceRow>({
  name: 'Device',
  tableName: 'device',
  columns: {
    id,
    clinicId,
    staffUserId: { type: 'varchar', length: 36 },
    name: { type: 'varchar', length: 80 },
    tokenHash: { ...hash, unique: true },
    createdAt: instant,
    lastSeenAt: instant,
    revokedAt: optionalInstant,
  },
});

export interface PatientRow {
  id: string;
  clinicId: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  email: string;
  phone: string | null;
  /** Portal, email and letter language (issue 15); null: not chosen. Optional so older fixtures still type. */
  language?: PatientLanguage | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}
export const PatientEntity = new EntitySchema<PatientRow>({
  name: 'Patient',
  tableName: 'patient',
  columns: {
    id,
    clinicId,
    givenName: { type: 'varchar', length: 80 },
    familyName: { type: 'varchar', length: 80 },
    dateOfBirth: { type: 'varchar', length: 10 },
    email: { type: 'varchar', length: 254 },
    phone: { type: 'varchar', length: 32, nullable: true },
    language: { type: 'varchar', length: 8, nullable: true },
    version: { type: 'integer' },
    createdAt: instant,
    updatedAt: instant,
    deletedAt: optionalInstant,
  },
});

export interface InvitationRow {
  id: string;
  clinicId: string;
  patientId: string;
  status: InvitationStatus;
  tokenHash: string;
  registrationIdHash: string;
  expiresAt: string;
  sentAt: string | null;
  statusChangedAt: string;
  failedTries: number;
  lastError: string | null;
  /** See INVITATION_DELIVERY_STATES; null for invitations made before it was recorded. */
  deliveryState: InvitationDeliveryState | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}
export const InvitationEntity = new EntitySchema<InvitationRow>({
  name: 'Invitation',
  tableName: 'invitation',
  columns: {
    id,
    clinicId,
    patientId: { type: 'varchar', length: 36 },
    status: { type: 'varchar', length: 16 },
    tokenHash: { ...hash, unique: true },
    registrationIdHash: hash,
    expiresAt: instant,
    sentAt: optionalInstant,
    statusChangedAt: instant,
    failedTries: { type: 'integer' },
    lastError: { type: 'varchar', length: 200, nullable: true },
    deliveryState: { type: 'varchar', length: 24, nullable: true },
    version: { type: 'integer' },
    createdAt: instant,
    updatedAt: instant,
    deletedAt: optionalInstant,
  },
});

export interface PatientAccountRow {
  id: string;
  clinicId: string;
  patientId: string;
  username: string;
  usernameNormalized: string;
  passwordHash: string;
  question1: string;
  answer1Hash: string;
  question2: string;
  answer2Hash: string;
  failedSignIns: number;
  lockedUntil: string | null;
  /** Old failures are forgotten a day after the last one. */
  lastFailedSignInAt?: string | null;
  createdAt: string;
  updatedAt: string;
}
export const PatientAccountEntity = new EntitySchema<PatientAccountRow>({
  name: 'PatientAccount',
  tableName: 'patient_account',
  columns: {
    id,
    clinicId,
    patientId: { type: 'varchar', length: 36, unique: true },
    username: { type: 'varchar', length: 32 },
    usernameNormalized: { type: 'varchar', length: 32, unique: true },
    passwordHash: hash,
    question1: { type: 'varchar', length: 40 },
    answer1Hash: hash,
    question2: { type: 'varchar', length: 40 },
    answer2Hash: hash,
    failedSignIns: { type: 'integer' },
    lockedUntil: optionalInstant,
    lastFailedSignInAt: optionalInstant,
    createdAt: instant,
    updatedAt: instant,
  },
});

export interface PatientSessionRow {
  idHash: string;
  accountId: string;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  /** When this session met the patient's second factor (issue 13): a session without it ends once the patient has one. */
  secondFactorAt?: string | null;
}
export const PatientSessionEntity = new EntitySchema<PatientSessionRow>({
  name: 'PatientSession',
  tableName: 'patient_session',
  columns: {
    idHash: { ...hash, primary: true },
    accountId: { type: 'varchar', length: 36 },
    csrfToken: { type: 'varchar', length: 64 },
    createdAt: instant,
    lastSeenAt: instant,
    expiresAt: instant,
    secondFactorAt: optionalInstant,
  },
});

/** `cancelled`: no longer live when its turn came (revoked invitation, changed address, used link); never sent. */
export type MailStatus = 'pending' | 'sent' | 'failed' | 'cancelled';
export interface MailOutboxRow {
  id: string;
  clinicId: string;
  recipient: string;
  template: string;
  /** JSON with what the template needs; never health information. */
  payload: string;
  status: MailStatus;
  tries: number;
  nextTryAt: string;
  lastError: string | null;
  invitationId: string | null;
  /** The patient the mail is for; the recipient must still be their address when it is sent. */
  patientId: string | null;
  /** The password reset whose link the mail carries: sent only while that link works. */
  passwordResetId: string | null;
  /** The account recovery whose code the mail carries: sent only while that code works. */
  recoveryId: string | null;
  createdAt: string;
  sentAt: string | null;
  /** The claim of the dispatcher sending it now (one batch of one instance), and until when it holds. */
  claimToken: string | null;
  claimedUntil: string | null;
}
export const MailOutboxEntity = new EntitySchema<MailOutboxRow>({
  name: 'MailOutbox',
  tableName: 'mail_outbox',
  columns: {
    id,
    clinicId,
    recipient: { type: 'varchar', length: 254 },
    template: { type: 'varchar', length: 40 },
    payload: { type: 'text' },
    status: { type: 'varchar', length: 16 },
    tries: { type: 'integer' },
    nextTryAt: instant,
    lastError: { type: 'varchar', length: 200, nullable: true },
    invitationId: { type: 'varchar', length: 36, nullable: true },
    patientId: { type: 'varchar', length: 36, nullable: true },
    passwordResetId: { type: 'varchar', length: 36, nullable: true },
    recoveryId: { type: 'varchar', length: 36, nullable: true },
    createdAt: instant,
    sentAt: optionalInstant,
    claimToken: { type: 'varchar', length: 36, nullable: true },
    claimedUntil: optionalInstant,
  },
});

/** When each background job last ran, on any instance (see features/jobs). */
export interface JobRunRow {
  name: string;
  lastRunAt: string;
}
export const JobRunEntity = new EntitySchema<JobRunRow>({
  name: 'JobRun',
  tableName: 'job_run',
  columns: {
    name: { type: 'varchar', length: 40, primary: true },
    lastRunAt: instant,
  },
});

export interface AuditEventRow {
  id: string;
  clinicId: string;
  actorKind: 'staff' | 'patient' | 'system' | 'anonymous';
  actorId: string | null;
  action: string;
  entity: string | null;
  entityId: string | null;
  at: string;
  ip: string | null;
  detail: string | null;
}
export const AuditEventEntity = new EntitySchema<AuditEventRow>({
  name: 'AuditEvent',
  tableName: 'audit_event',
  columns: {
    id,
    clinicId,
    actorKind: { type: 'varchar', length: 16 },
    actorId: { type: 'varchar', length: 36, nullable: true },
    action: { type: 'varchar', length: 64 },
    entity: { type: 'varchar', length: 32, nullable: true },
    entityId: { type: 'varchar', length: 36, nullable: true },
    at: instant,
    ip: { type: 'varchar', length: 64, nullable: true },
    detail: { type: 'varchar', length: 500, nullable: true },
  },
});

export interface ChangeLogRow {
  seq: number;
  tableName: string;
  rowId: string;
  version: number;
  op: 'upsert' | 'delete';
  /** The console whose mutation made this change (null: a patient, the server or a script). */
  clientId: string | null;
  /**
   * Random per entry (null on entries written before it existed), part of the entry's fingerprint:
   * the same intent applied again after a restore lands on the same seq with the same row version
   * and client, but it is another write (new server times), and cursors must tell the two apart.
   */
  nonce: string | null;
}
export const ChangeLogEntity = new EntitySchema<ChangeLogRow>({
  name: 'ChangeLog',
  tableName: 'change_log',
  columns: {
    seq: { type: 'integer', primary: true },
    tableName: { type: 'varchar', length: 32 },
    rowId: { type: 'varchar', length: 36 },
    version: { type: 'integer' },
    op: { type: 'varchar', length: 8 },
    clientId: { type: 'varchar', length: 36, nullable: true },
    nonce: { type: 'varchar', length: 16, nullable: true },
  },
});

/** One row (id 1): the database's epoch and the change log's gap-free counter. */
export interface SyncCounterRow {
  id: number;
  epoch: string;
  seq: number;
}
export const SyncCounterEntity = new EntitySchema<SyncCounterRow>({
  name: 'SyncCounter',
  tableName: 'sync_counter',
  columns: {
    id: { type: 'integer', primary: true },
    epoch: { type: 'varchar', length: 36 },
    seq: { type: 'integer' },
  },
});

export interface ClientMutationRow {
  clientId: string;
  deviceId: string;
  lastSeq: number;
  updatedAt: string;
}
export const ClientMutationEntity = new EntitySchema<ClientMutationRow>({
  name: 'ClientMutation',
  tableName: 'client_mutation',
  columns: {
    clientId: { type: 'varchar', length: 36, primary: true },
    deviceId: { type: 'varchar', length: 36 },
    lastSeq: { type: 'integer' },
    updatedAt: instant,
  },
});

/** How a device came to be bound to a client id (see features/sync/binding.ts). */
export type ClientBindingOrigin = 'sign_in' | 'first_push' | 'claim' | 'upgrade';

/**
 * A console's client id and the device tokens that may push under it. One console pushes under one
 * client id with several tokens (each staff member signing in there gets their own), so this is a
 * pair table, not a column of either side; a token copied with its console may be bound to two ids.
 */
export interface ClientBindingRow {
  clientId: string;
  deviceId: string;
  clinicId: string;
  boundBy: ClientBindingOrigin;
  createdAt: string;
}
export const ClientBindingEntity = new EntitySchema<ClientBindingRow>({
  name: 'ClientBinding',
  tableName: 'client_binding',
  columns: {
    clientId: { type: 'varchar', length: 36, primary: true },
    deviceId: { type: 'varchar', length: 36, primary: true },
    clinicId,
    boundBy: { type: 'varchar', length: 12 },
    createdAt: instant,
  },
});

/** A refused mutation, kept so a retried push gets the same answer and staff can see why. */
export interface MutationRejectionRow {
  clientId: string;
  seq: number;
  code: string;
  message: string;
  createdAt: string;
}
export const MutationRejectionEntity = new EntitySchema<MutationRejectionRow>({
  name: 'MutationRejection',
  tableName: 'mutation_rejection',
  columns: {
    clientId: { type: 'varchar', length: 36, primary: true },
    seq: { type: 'integer', primary: true },
    code: { type: 'varchar', length: 40 },
    message: { type: 'varchar', length: 300 },
    createdAt: instant,
  },
});

/**
 * The intent (sha256 of its canonical name, args version and arguments) each applied or refused
 * mutation carried, so a retried seq is told apart from another change sent under a used seq.
 * Seqs recorded before this table existed, and seqs skipped with `prevSeq`, have no row.
 */
export interface MutationIntentRow {
  clientId: string;
  seq: number;
  intentHash: string;
  createdAt: string;
}
export const MutationIntentEntity = new EntitySchema<MutationIntentRow>({
  name: 'MutationIntent',
  tableName: 'mutation_intent',
  columns: {
    clientId: { type: 'varchar', length: 36, primary: true },
    seq: { type: 'integer', primary: true },
    intentHash: { type: 'varchar', length: 64 },
    createdAt: instant,
  },
});

export const SERVER_ENTITIES = [
  ClinicEntity,
  StaffUserEntity,
  DeviceEntity,
  PatientEntity,
  InvitationEntity,
  PatientAccountEntity,
  PatientSessionEntity,
  MailOutboxEntity,
  JobRunEntity,
  AuditEventEntity,
  ChangeLogEntity,
  SyncCounterEntity,
  ClientMutationEntity,
  ClientBindingEntity,
  MutationRejectionEntity,
  MutationIntentEntity,
  ...CLINICAL_ENTITIES,
  AccountRecoveryEntity,
  ...SECURITY_ENTITIES,
  EmailChangeEntity,
  ...SECOND_FACTOR_ENTITIES,
];
