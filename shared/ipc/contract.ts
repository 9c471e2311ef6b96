/**
 * The one contract between the console's renderer and its main process. The preload exposes
 * `window.api` = { invoke, on } checked against these channel names; nothing else crosses.
 */
import type { ApiErrorBody } from '../api/errors';
import type { ClinicView } from '../domain/clinic';
import type { InvitationRecord, PatientRecord } from '../domain/patient';
import type { StaffRole, StaffUserView } from '../domain/staff';
import type { ClinicSetupForm, StaffUserForm } from '../validation/staff';
import type { PreRegistrationForm } from '../validation/patient';

export type ConsoleMode = 'setup' | 'sign-in' | 'ready';

export interface AppStatus {
  mode: ConsoleMode;
  /** The console hosts the portal server on this computer (single-PC clinic). */
  hostsServer: boolean;
  serverUrl: string;
  clinic: ClinicView | null;
  staff: StaffUserView | null;
}

export interface PatientListItem {
  patient: PatientRecord;
  /** The patient's most recent invitation, if any. */
  invitation: InvitationRecord | null;
  /** Local changes to this patient not yet accepted by the server. */
  pendingChanges: number;
}

export interface DuplicateMatch {
  patientId: string;
  name: string;
  dateOfBirth: string;
  email: string;
  reason: 'same name and date of birth' | 'same email';
}

export interface RejectedChange {
  seq: number;
  description: string;
  reason: string;
  at: string;
}

export interface SyncStatus {
  online: boolean;
  syncing: boolean;
  pending: number;
  lastSyncedAt: string | null;
  lastError: string | null;
  rejected: RejectedChange[];
}

export interface IpcContract {
  'app.status': { args: void; result: AppStatus };
  'setup.createClinic': { args: ClinicSetupForm; result: AppStatus };
  'auth.signIn': { args: { username: string; password: string }; result: AppStatus };
  'auth.signOut': { args: void; result: AppStatus };
  'patients.list': { args: { query: string }; result: PatientListItem[] };
  'patients.get': { args: { patientId: string }; result: PatientListItem };
  'patients.findDuplicates': {
    args: { givenName: string; familyName: string; dateOfBirth: string; email: string; excludePatientId?: string };
    result: DuplicateMatch[];
  };
  'patients.preRegister': { args: { form: PreRegistrationForm; sendInvitation: boolean }; result: PatientListItem };
  'patients.update': { args: { patientId: string; form: PreRegistrationForm }; result: PatientListItem };
  'invitations.send': { args: { patientId: string }; result: PatientListItem };
  'invitations.revoke': { args: { patientId: string }; result: PatientListItem };
  'staff.list': { args: void; result: StaffUserView[] };
  'staff.create': { args: StaffUserForm; result: StaffUserView };
  'staff.setActive': { args: { staffUserId: string; active: boolean }; result: StaffUserView };
  'staff.resetPassword': { args: { staffUserId: string; password: string }; result: StaffUserView };
  'sync.status': { args: void; result: SyncStatus };
  'sync.now': { args: void; result: SyncStatus };
}
export type IpcChannel = keyof IpcContract;

/** Every channel, for the preload's allow-list and the IPC registration. */
export const IPC_CHANNELS: readonly IpcChannel[] = [
  'app.status',
  'setup.createClinic',
  'auth.signIn',
  'auth.signOut',
  'patients.list',
  'patients.get',
  'patients.findDuplicates',
  'patients.preRegister',
  'patients.update',
  'invitations.send',
  'invitations.revoke',
  'staff.list',
  'staff.create',
  'staff.setActive',
  'staff.resetPassword',
  'sync.status',
  'sync.now',
];

/** Main → renderer events. */
export interface IpcEvents {
  'sync.status': SyncStatus;
  /** Replica rows changed (pull applied or local write): views reload what they show. */
  'data.changed': { tables: string[] };
}
export type IpcEvent = keyof IpcEvents;
export const IPC_EVENTS: readonly IpcEvent[] = ['sync.status', 'data.changed'];

/** Errors cross IPC as data; Electron would strip an Error's own properties. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

export interface ConsoleApi {
  invoke<C extends IpcChannel>(channel: C, args: IpcContract[C]['args']): Promise<IpcResult<IpcContract[C]['result']>>;
  /** Returns an unsubscribe function. */
  on<E extends IpcEvent>(event: E, listener: (payload: IpcEvents[E]) => void): () => void;
}

export type { StaffRole };
