/**
 * The one contract between the console's renderer and its main process. The preload exposes
 * `window.api` = { invoke, on } checked against these channel names; nothing else crosses.
 */
import type { ApiErrorBody } from '../api/errors';
import type { AuditEventView, AuditQuery, StaffDeviceView, StaffPasswordResetResponse } from '../api/staffSecurity';
import type { SecondFactorStatus, TrustedComputerView } from '../api/types';
import type { AppointmentRecord } from '../domain/appointment';
import type { MessageRecord, ThreadRecord, ThreadStatus } from '../domain/message';
import type { RecordBundle, RecordFields, RecordKind } from '../domain/record';
import type { RenewalRecord } from '../domain/renewal';
import type { StaffDirectoryEntry } from '../domain/staff';
import type { AppointmentSlotForm, RenewalDecisionForm } from '../validation/requests';
import type { ClinicView } from '../domain/clinic';
import type { InvitationRecord, PatientRecord } from '../domain/patient';
import type { InvitationAttentionReason } from '../domain/invitation';
import type { StaffRole, StaffUserView } from '../domain/staff';
import type { ClinicSetupForm, StaffUserForm } from '../validation/staff';
import type { ClinicSettingsForm } from '../validation/clinic';
import type { PreRegistrationForm } from '../validation/patient';

export type ConsoleMode = 'setup' | 'sign-in' | 'ready';

export interface AppStatus {
  mode: ConsoleMode;
  /** The console hosts the portal server on this computer (single-PC clinic). */
  hostsServer: boolean;
  serverUrl: string;
  clinic: ClinicView | null;
  staff: StaffUserView | null;
  /**
   * Signed in but locked (idle, or "Lock now"): the renderer shows only the unlock form and the
   * main process refuses every patient-data channel until a staff member signs in again.
   */
  locked: boolean;
  /** Lock after this many seconds without keyboard or mouse activity (this computer's setting). */
  idleLockSeconds: number;
  /** On the sign-in screen: why the server ended the last sign-in (it expired, or was revoked). */
  signInReason?: string;
  /** The device token is not protected by the operating system's key store here (no keyring): say so. */
  tokenProtectionWarning?: string;
  /**
   * Only in the answer to the sign-in that confirmed a new second factor: its ten recovery codes,
   * shown once (the server keeps only their hashes).
   */
  recoveryCodes?: string[];
}

/** A clinic server a desk is about to connect to (issue 16): what the person confirms. */
export interface ServerCheckView {
  url: string;
  clinicName: string;
  /** The self-signed certificate's SHA-256 fingerprint, to compare with the hosting desk's; null when a public CA vouches for it (or http to this computer). */
  fingerprint256: string | null;
}

/** This desk's server as the admin screen shows it (issue 16 item 3). */
export interface ServerConnectionView {
  url: string;
  /** This computer keeps the clinic's records (hosts the portal). */
  hostsServer: boolean;
  /** The pinned self-signed certificate's fingerprint, if this desk pinned one. */
  fingerprint256: string | null;
  /** Changes made here that have not reached the server (they must be sent before moving). */
  waitingChanges: number;
  /** Hosting desk: other desks may join (issue 16 item 2). */
  desksMayJoin: boolean;
  /** Hosting desk: its own certificate's SHA-256 fingerprint, for the joining desks to compare; null until made. */
  hostCertificateFingerprint: string | null;
}

/** The "Portal server" settings of a hosting console (issue 16 items 2 and 4); blank means "not set". */
export interface PortalSettingsFields {
  /** The address patients use (PUBLIC_URL). */
  publicUrl: string;
  /** Listen address (HOST); blank is this computer only, or every network when desks may join. */
  host: string;
  /** PORT; null keeps the console's own. */
  port: number | null;
  tlsCert: string;
  tlsKey: string;
  trustProxy: string;
  plainHttpBehindProxy: boolean;
  /** SMTP address without its password (SMTP_URL). */
  smtpUrl: string;
  /** Sender address (MAIL_FROM). */
  mailFrom: string;
  /** Other desks on the network may join: https with this computer's own certificate. */
  letDesksJoin: boolean;
}

export interface PortalSettingsView extends PortalSettingsFields {
  /** An SMTP password is kept in the protected store (never sent to the window). */
  smtpPasswordSaved: boolean;
  /** Where emails go while no SMTP address is set; null when they are sent by SMTP. */
  mailFolder: string | null;
  /** This computer's own certificate's SHA-256 fingerprint ("AB:CD:…"), once made. */
  hostCertificateFingerprint: string | null;
}

export interface PortalSettingsForm extends PortalSettingsFields {
  /** A new SMTP password; blank keeps the saved one. */
  smtpPassword: string;
  /** Forget the saved SMTP password. */
  clearSmtpPassword: boolean;
}

/** "Send test email": sent by SMTP, or written into the mail folder because no SMTP is set. */
export interface TestEmailResult {
  sent: boolean;
  /** The folder it was written into when not sent. */
  mailFolder: string | null;
}

/** What staff type to sign in; `code` once the server asks for a second factor (issue 13). */
export interface StaffCredentials {
  username: string;
  password: string;
  /** A 6-digit code from the authenticator app, or a recovery code. */
  code?: string;
  /** "Trust this computer for 30 days" (for this person on this console). */
  trustComputer?: boolean;
}

/** A second factor to set up during sign-in: the QR code as an SVG data URL (the renderer's CSP allows data: images). */
export interface SignInEnrolment {
  secret: string;
  otpauthUri: string;
  qrDataUrl: string;
}

/** The idle-lock setting's range in whole minutes (the form and the main process check the same). */
export const IDLE_LOCK_MINUTES = { min: 1, max: 60, default: 10 } as const;

/** A signed-in console on the admin's device list; `thisConsole` is the one asking. */
export type ConsoleDeviceItem = StaffDeviceView & { thisConsole: boolean };

export interface PatientListItem {
  patient: PatientRecord;
  /** The patient's most recent invitation, if any. */
  invitation: InvitationRecord | null;
  /** Local changes to this patient not yet accepted by the server. */
  pendingChanges: number;
}

export interface InvitationAttentionItem extends PatientListItem {
  reason: InvitationAttentionReason;
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
  /**
   * 'conflict': someone else changed the same field(s) since this console last saw the row — redo
   * the change on the current data. 'refused': the server's checks said no (validation, permission,
   * a slot already taken) — the reason says why.
   */
  kind: 'conflict' | 'refused';
}

/** A pull that is catching up on many changes (after a day offline, first sign-in). */
export interface CatchUpProgress {
  /** Changes applied to this replica so far in this catch-up. */
  applied: number;
  /** Changes the server had when the catch-up began (an estimate: the log keeps growing). */
  total: number;
}

/**
 * A change whose author can no longer push from this console (signed out by an admin, deactivated,
 * sign-in expired while the console was offline). It no longer holds anyone else's changes back:
 * it waits here until its author signs in on this console again, someone sends it again in their
 * own name ("entered for" its author), or an admin discards it.
 */
export interface HeldChange {
  seq: number;
  description: string;
  authorName: string;
  at: string;
  /** Who may send it again: only physicians for record entries and renewal decisions, anyone otherwise. */
  resendRole: 'physician' | 'anyone';
}

export interface SyncStatus {
  online: boolean;
  syncing: boolean;
  /** Changes waiting to be sent (held ones not counted: they are listed in `held`). */
  pending: number;
  lastSyncedAt: string | null;
  lastError: string | null;
  rejected: RejectedChange[];
  held: HeldChange[];
  /** Non-null while a pull is more than one page behind the server. */
  catchUp: CatchUpProgress | null;
}

/** A row with the patient's name, for queues and lists. */
export interface WithPatient<T> {
  row: T;
  patientName: string;
  patientDateOfBirth: string;
  /** Local changes to this row not yet accepted by the server. */
  pendingChanges: number;
}
export type AppointmentListItem = WithPatient<AppointmentRecord> & { physicianName: string | null };
export type RenewalListItem = WithPatient<RenewalRecord> & { decidedByName: string | null };
export type ThreadListItem = WithPatient<ThreadRecord> & { assignedToName: string | null; lastMessagePreview: string };
export interface ThreadDetail {
  thread: ThreadListItem;
  messages: MessageRecord[];
}

export type RecordSaveArgs = { [K in RecordKind]: { kind: K; patientId: string; entryId: string | null; fields: RecordFields[K] } }[RecordKind];

export interface IpcContract {
  'app.status': { args: void; result: AppStatus };
  'setup.enrolment': { args: { name: string; adminUsername: string }; result: SignInEnrolment };
  'setup.createClinic': { args: ClinicSetupForm & { code?: string }; result: AppStatus };
  'auth.signIn': { args: StaffCredentials; result: AppStatus };
  'auth.enrolmentAtSignIn': { args: { username: string; password: string }; result: SignInEnrolment };
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
  /** Online only: a new Registration ID inside a PDF the console saves (and opens for printing); the answer is its path. */
  'invitations.printLetter': { args: { patientId: string }; result: { file: string } };
  /** The desk's worklist: patients whose latest invitation expired, failed, locked, or waits 7+ days. */
  'invitations.needingAttention': { args: void; result: InvitationAttentionItem[] };
  'staff.list': { args: void; result: StaffUserView[] };
  'staff.create': { args: StaffUserForm; result: StaffUserView };
  'staff.setActive': { args: { staffUserId: string; active: boolean }; result: StaffUserView };
  'staff.resetPassword': { args: { staffUserId: string; password: string }; result: StaffUserView };
  'staff.resetSecondFactor': { args: { staffUserId: string }; result: void };
  'staff.directory': { args: void; result: StaffDirectoryEntry[] };
  /** Admins only, online only: the clinic's settings; the answer carries the saved clinic. */
  'clinic.update': { args: ClinicSettingsForm; result: AppStatus };

  /** Requests and proposals waiting, oldest first. */
  'appointments.queue': { args: void; result: AppointmentListItem[] };
  /** Scheduled (and completed) appointments between two instants, for the day/week view. */
  'appointments.schedule': { args: { from: string; to: string; physicianId: string | null }; result: AppointmentListItem[] };
  'appointments.forPatient': { args: { patientId: string }; result: AppointmentListItem[] };
  'appointments.create': { args: AppointmentSlotForm & { patientId: string; reason: string }; result: AppointmentListItem };
  'appointments.schedule.book': { args: AppointmentSlotForm & { appointmentId: string }; result: AppointmentListItem };
  'appointments.propose': { args: AppointmentSlotForm & { appointmentId: string; note: string }; result: AppointmentListItem };
  'appointments.decline': { args: { appointmentId: string; reason: string }; result: AppointmentListItem };
  'appointments.cancel': { args: { appointmentId: string; reason: string }; result: AppointmentListItem };
  'appointments.complete': { args: { appointmentId: string }; result: AppointmentListItem };

  'renewals.queue': { args: { status: 'requested' | 'all' }; result: RenewalListItem[] };
  /** Physicians only. */
  'renewals.decide': { args: RenewalDecisionForm & { renewalId: string }; result: RenewalListItem };

  'messages.inbox': { args: { filter: 'open' | 'closed' | 'mine' | 'unassigned' }; result: ThreadListItem[] };
  'messages.thread': { args: { threadId: string }; result: ThreadDetail };
  'messages.start': { args: { patientId: string; subject: string; body: string }; result: ThreadDetail };
  /**
   * `seenThroughMessageId`: the newest patient message the window showed (null: none). Messages
   * that arrived after it are neither marked read nor closed over. Left out, the replica decides.
   */
  'messages.reply': { args: { threadId: string; body: string; seenThroughMessageId?: string | null }; result: ThreadDetail };
  'messages.assign': { args: { threadId: string; staffUserId: string | null }; result: ThreadDetail };
  'messages.setStatus': { args: { threadId: string; status: ThreadStatus; seenThroughMessageId?: string | null }; result: ThreadDetail };
  'messages.markRead': { args: { threadId: string; seenThroughMessageId?: string | null }; result: ThreadDetail };

  /** Opening a record is audited (a recordViewed change is sent to the server). */
  'record.get': { args: { patientId: string }; result: RecordBundle };
  /** Physicians only. entryId null = a new entry. */
  'record.save': { args: RecordSaveArgs; result: RecordBundle };
  'record.delete': { args: { kind: RecordKind; entryId: string }; result: RecordBundle };

  /** Unread patient messages and waiting requests, for the navigation badges. */
  'work.counts': { args: void; result: { appointmentRequests: number; renewalRequests: number; unreadThreads: number; invitationsNeedingAttention: number } };

  'sync.status': { args: void; result: SyncStatus };
  'sync.now': { args: void; result: SyncStatus };
  /** The staff member has dealt with a refused or conflicting change: it is no longer listed. */
  'sync.dismissRejected': { args: { seq: number }; result: SyncStatus };
  /** Sends a held change again under the signed-in staff member's name, recorded as entered for its author. */
  'sync.resendHeld': { args: { seq: number }; result: SyncStatus };
  /** Admins only: drops a held change for good (the server's audit log records what was dropped). */
  'sync.discardHeld': { args: { seq: number }; result: SyncStatus };

  /** Locks the console now (the idle timer, "Lock now"); sync goes on, patient data is refused. */
  'auth.lock': { args: void; result: AppStatus };
  /**
   * Signs in at the lock screen: the same staff member, or another one who then takes over the
   * console. Offline, only the person signed in can unlock (checked against their last online sign-in).
   */
  'auth.unlock': { args: StaffCredentials; result: AppStatus };
  /** Admins only: this computer's idle time before it locks, in whole minutes. */
  'console.setIdleLock': { args: { minutes: number }; result: AppStatus };

  /** Online only, receptionist or admin: clears the patient's portal sign-in lockout. */
  'patients.unlockPortalAccount': { args: { patientId: string }; result: void };
  /** Online only, receptionist or admin: emails the patient a one-time password reset link. */
  'patients.sendPasswordReset': { args: { patientId: string }; result: StaffPasswordResetResponse };
  'patients.resetSecondFactor': { args: { patientId: string }; result: void };
  /** Online only, admins: every console signed in to the clinic. */
  'devices.list': { args: void; result: ConsoleDeviceItem[] };
  /** Online only, admins: that console's token stops working at once. */
  'devices.revoke': { args: { deviceId: string }; result: ConsoleDeviceItem };
  'devices.trusted': { args: void; result: TrustedComputerView[] };
  'account.secondFactor': { args: void; result: SecondFactorStatus };
  'account.startSecondFactor': { args: void; result: SignInEnrolment };
  'account.confirmSecondFactor': { args: { code: string }; result: { recoveryCodes: string[] } };
  'account.renewRecoveryCodes': { args: { code: string }; result: { recoveryCodes: string[] } };
  'devices.revokeTrust': { args: { trustId: string }; result: TrustedComputerView[] };
  /** Online only, admins: one page of the audit log, newest first. */
  'audit.search': { args: { filters: AuditQuery }; result: AuditEventView[] };
  /** Signed out only: checks a clinic server and shows what to confirm; saves nothing. */
  'server.check': { args: { address: string }; result: ServerCheckView };
  /**
   * Signed out, nothing waiting to send: checks the server again, signs in there (the server may ask
   * for the second factor), and only then saves it as this desk's server and switches to it, signed in.
   */
  'server.connect': { args: { address: string; confirmedFingerprint?: string | null; deviceName?: string | null } & StaffCredentials; result: AppStatus };
  /** Joining, when the new server's clinic requires a second factor this person has not set up: the secret to set up (nothing saved here). */
  'server.enrolmentAtSignIn': { args: { address: string; confirmedFingerprint?: string | null; deviceName?: string | null; username: string; password: string }; result: SignInEnrolment };
  /** Admins: this desk's server, its pin and what waits to be sent. */
  'server.current': { args: void; result: ServerConnectionView };
  /** Admins: "Test connection" — the same checks as joining, against the pin and clinic saved here. */
  'server.test': { args: void; result: ServerCheckView };
  /** Hosting admins: the "Portal server" settings (used from the console's next start). */
  'portal.settings': { args: void; result: PortalSettingsView };
  /** Hosting admins: saves them after the portal server's own checks; a refusal changes nothing. */
  'portal.saveSettings': { args: { form: PortalSettingsForm }; result: PortalSettingsView };
  /** Hosting admins: let other desks join — makes this computer's certificate and shows its fingerprint. */
  'portal.letDesksJoin': { args: void; result: PortalSettingsView };
  /** Hosting admins: a test email to this address through the saved outgoing mail settings. */
  'portal.sendTestEmail': { args: { to: string }; result: TestEmailResult };
  /** Admins: the hosted portal's backups (issue 18 item 5): schedule, last result, files kept. */
  'backups.status': { args: void; result: BackupStatusView };
  /** Admins, hosting desk: "Back up now" — a checked copy like the nightly one. */
  'backups.runNow': { args: void; result: BackupStatusView };
}

/** One backup the console made of the portal it hosts. */
export interface BackupRecordView {
  at: string;
  ok: boolean;
  /** The file's name in the backup folder (ok only). */
  file: string | null;
  sizeBytes: number | null;
  /** What went wrong, in words (not ok only). */
  error: string | null;
}

export interface BackupStatusView {
  /** False on a desk that connects to another computer's server: that computer backs up. */
  hosting: boolean;
  folder: string | null;
  /** Local hour of the daily backup (0–23). */
  hourOfDay: number;
  keepDays: number;
  nextAt: string | null;
  last: BackupRecordView | null;
  /** Backup files in the folder, newest first. */
  files: { name: string; sizeBytes: number }[];
  running: boolean;
}
export type IpcChannel = keyof IpcContract;

/** Every channel, for the preload's allow-list and the IPC registration. */
export const IPC_CHANNELS: readonly IpcChannel[] = [
  'app.status',
  'setup.enrolment',
  'setup.createClinic',
  'auth.signIn',
  'auth.enrolmentAtSignIn',
  'auth.signOut',
  'patients.list',
  'patients.get',
  'patients.findDuplicates',
  'patients.preRegister',
  'patients.update',
  'invitations.send',
  'invitations.revoke',
  'invitations.printLetter',
  'invitations.needingAttention',
  'staff.list',
  'staff.create',
  'staff.setActive',
  'staff.resetPassword',
  'staff.resetSecondFactor',
  'staff.directory',
  'clinic.update',
  'appointments.queue',
  'appointments.schedule',
  'appointments.forPatient',
  'appointments.create',
  'appointments.schedule.book',
  'appointments.propose',
  'appointments.decline',
  'appointments.cancel',
  'appointments.complete',
  'renewals.queue',
  'renewals.decide',
  'messages.inbox',
  'messages.thread',
  'messages.start',
  'messages.reply',
  'messages.assign',
  'messages.setStatus',
  'messages.markRead',
  'record.get',
  'record.save',
  'record.delete',
  'work.counts',
  'sync.status',
  'sync.now',
  'sync.dismissRejected',
  'sync.resendHeld',
  'sync.discardHeld',
  'auth.lock',
  'auth.unlock',
  'console.setIdleLock',
  'patients.unlockPortalAccount',
  'patients.sendPasswordReset',
  'patients.resetSecondFactor',
  'devices.list',
  'devices.revoke',
  'devices.trusted',
  'account.secondFactor',
  'account.startSecondFactor',
  'account.confirmSecondFactor',
  'account.renewRecoveryCodes',
  'devices.revokeTrust',
  'audit.search',
  'server.check',
  'server.connect',
  'server.enrolmentAtSignIn',
  'server.current',
  'server.test',
  'portal.settings',
  'portal.saveSettings',
  'portal.letDesksJoin',
  'portal.sendTestEmail',
  'backups.status',
  'backups.runNow',
];

/** Main → renderer events. */
export interface IpcEvents {
  'sync.status': SyncStatus;
  /** Replica rows changed (pull applied or local write): views reload what they show. */
  'data.changed': { tables: string[] };
  /** Locked, unlocked, or signed out by the sync engine (token revoked): the renderer switches screens. */
  'app.status': AppStatus;
}
export type IpcEvent = keyof IpcEvents;
export const IPC_EVENTS: readonly IpcEvent[] = ['sync.status', 'data.changed', 'app.status'];

/** Errors cross IPC as data; Electron would strip an Error's own properties. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

export interface ConsoleApi {
  invoke<C extends IpcChannel>(channel: C, args: IpcContract[C]['args']): Promise<IpcResult<IpcContract[C]['result']>>;
  /** Returns an unsubscribe function. */
  on<E extends IpcEvent>(event: E, listener: (payload: IpcEvents[E]) => void): () => void;
}

export type { StaffRole };
