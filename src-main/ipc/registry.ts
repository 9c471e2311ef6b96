import { DomainError } from '../../shared/api/errors';
import type { ApiErrorBody } from '../../shared/api/errors';
import { IPC_CHANNELS } from '../../shared/ipc/contract';
import type { IpcChannel, IpcContract, IpcEvent, IpcEvents, IpcResult, SyncStatus } from '../../shared/ipc/contract';
import type { ConsoleEvents } from '../events';
import type { AppointmentService } from '../services/appointments';
import type { AuthService } from '../session/auth';
import type { ClinicSettingsService } from '../services/clinicSettings';
import type { ConsoleLockService } from '../session/consoleLock';
import type { InvitationService } from '../services/invitations';
import type { MessageService } from '../services/messages';
import type { OverviewService } from '../services/overview';
import type { PatientService } from '../services/patients';
import type { RecordService } from '../services/record';
import type { RefusedChangesService } from '../services/refusedChanges';
import type { RenewalService } from '../services/renewals';
import type { StaffAdminService } from '../services/staffAdmin';
import type { StaffSecurityService } from '../services/staffSecurity';
import { LOCKED_MESSAGE } from '../session/session';
import type { SyncEngine } from '../sync/engine';
import type { InvitationLetterService } from '../services/invitationLetters';
import type { ServerConnectionService } from '../services/serverConnection';
import type { HostedPortalService } from '../services/hostedPortal';
import type { BackupService } from '../services/backups';
import { argsMatch } from './argShapes';

export interface ConsoleServices {
  auth: AuthService;
  patients: PatientService;
  invitations: InvitationService;
  letters: InvitationLetterService;
  staff: StaffAdminService;
  clinic: ClinicSettingsService;
  overview: OverviewService;
  appointments: AppointmentService;
  renewals: RenewalService;
  messages: MessageService;
  record: RecordService;
  sync: SyncEngine;
  refusedChanges: RefusedChangesService;
  events: ConsoleEvents;
  lock: ConsoleLockService;
  security: StaffSecurityService;
  server: ServerConnectionService;
  portal: HostedPortalService;
  backups: BackupService;
}

export interface IpcRegistry {
  invoke(channel: string, args: unknown): Promise<IpcResult<unknown>>;
  on<E extends IpcEvent>(event: E, listener: (payload: IpcEvents[E]) => void): () => void;
}

type Handlers = { [C in IpcChannel]: (args: IpcContract[C]['args']) => Promise<IpcContract[C]['result']> };

function handlersFor(s: ConsoleServices): Handlers {
  return {
    'app.status': () => s.auth.status(),
    'setup.enrolment': (form) => s.auth.setupEnrolment(form),
    'setup.createClinic': (form) => s.auth.createClinic(form),
    'auth.signIn': (a) => s.auth.signIn(a),
    'auth.enrolmentAtSignIn': (a) => s.auth.enrolmentAtSignIn(a),
    'auth.signOut': () => s.auth.signOut(),
    'patients.list': (a) => s.patients.list(a.query),
    'patients.get': (a) => s.patients.get(a.patientId),
    'patients.findDuplicates': (a) => s.patients.findDuplicates(a),
    'patients.preRegister': (a) => s.patients.preRegister(a.form, a.sendInvitation),
    'patients.update': (a) => s.patients.update(a.patientId, a.form),
    'invitations.send': (a) => s.invitations.send(a.patientId),
    'invitations.revoke': (a) => s.invitations.revoke(a.patientId),
    'invitations.printLetter': (a) => s.letters.print(a.patientId),
    'invitations.needingAttention': () => s.invitations.needingAttention(),
    'staff.list': () => s.staff.list(),
    'staff.create': (form) => s.staff.create(form),
    'staff.setActive': (a) => s.staff.setActive(a.staffUserId, a.active),
    'staff.resetPassword': (a) => s.staff.resetPassword(a.staffUserId, a.password),
    'staff.resetSecondFactor': (a) => s.staff.resetSecondFactor(a.staffUserId),
    'staff.directory': () => s.overview.directory(),
    'clinic.update': (form) => s.clinic.update(form),
    'appointments.queue': () => s.appointments.queue(),
    'appointments.schedule': (a) => s.appointments.schedule(a),
    'appointments.forPatient': (a) => s.appointments.forPatient(a.patientId),
    'appointments.create': (a) => s.appointments.create(a),
    'appointments.schedule.book': (a) => s.appointments.book(a),
    'appointments.propose': (a) => s.appointments.propose(a),
    'appointments.decline': (a) => s.appointments.decline(a.appointmentId, a.reason),
    'appointments.cancel': (a) => s.appointments.cancel(a.appointmentId, a.reason),
    'appointments.complete': (a) => s.appointments.complete(a.appointmentId),
    'renewals.queue': (a) => s.renewals.queue(a.status),
    'renewals.decide': (a) => s.renewals.decide(a),
    'messages.inbox': (a) => s.messages.inbox(a.filter),
    'messages.thread': (a) => s.messages.thread(a.threadId),
    'messages.start': (a) => s.messages.start(a),
    'messages.reply': (a) => s.messages.reply(a.threadId, a.body, a.seenThroughMessageId),
    'messages.assign': (a) => s.messages.assign(a.threadId, a.staffUserId),
    'messages.setStatus': (a) => s.messages.setStatus(a.threadId, a.status, a.seenThroughMessageId),
    'messages.markRead': (a) => s.messages.markRead(a.threadId, a.seenThroughMessageId),
    'record.get': (a) => s.record.get(a.patientId),
    'record.save': (a) => s.record.save(a),
    'record.delete': (a) => s.record.remove(a),
    'work.counts': () => s.overview.counts(),
    'sync.status': () => s.sync.status(),
    'sync.now': () => s.sync.syncNow(),
    'sync.dismissRejected': ({ seq }) => s.refusedChanges.dismiss(seq),
    'sync.resendHeld': ({ seq }) => s.refusedChanges.resendHeld(seq),
    'sync.discardHeld': ({ seq }) => s.refusedChanges.discardHeld(seq),
    'auth.lock': () => s.lock.lock(),
    'auth.unlock': (a) => s.lock.unlock(a),
    'console.setIdleLock': (a) => s.lock.setIdleLock(a.minutes),
    'patients.unlockPortalAccount': (a) => s.security.unlockPortalAccount(a.patientId),
    'patients.sendPasswordReset': (a) => s.security.sendPasswordReset(a.patientId),
    'patients.resetSecondFactor': (a) => s.security.resetPatientSecondFactor(a.patientId),
    'devices.list': () => s.security.devices(),
    'devices.revoke': (a) => s.security.revokeDevice(a.deviceId),
    'devices.trusted': () => s.security.trustedComputers(),
    'account.secondFactor': () => s.security.ownSecondFactor(),
    'account.startSecondFactor': () => s.security.startOwnSecondFactor(),
    'account.confirmSecondFactor': (a) => s.security.confirmOwnSecondFactor(a.code),
    'account.renewRecoveryCodes': (a) => s.security.renewOwnRecoveryCodes(a.code),
    'devices.revokeTrust': (a) => s.security.revokeTrustedComputer(a.trustId),
    'audit.search': (a) => s.security.searchAudit(a.filters),
    'server.check': (a) => s.server.check(a.address),
    'server.connect': ({ address, confirmedFingerprint, deviceName, ...credentials }) =>
      s.server.connect({ address, confirmedFingerprint: confirmedFingerprint ?? null, deviceName: deviceName ?? null, credentials }),
    'server.enrolmentAtSignIn': ({ address, confirmedFingerprint, deviceName, username, password }) =>
      s.server.enrolmentAtSignIn({ address, confirmedFingerprint: confirmedFingerprint ?? null, deviceName: deviceName ?? null, credentials: { username, password } }),
    'server.current': () => s.server.current(),
    'server.test': () => s.server.test(),
    'portal.settings': () => s.portal.settings(),
    'portal.saveSettings': (a) => s.portal.save(a.form),
    'portal.letDesksJoin': () => s.portal.letDesksJoin(),
    'portal.sendTestEmail': (a) => s.portal.sendTestEmail(a.to),
    'backups.status': () => s.backups.status(),
    'backups.runNow': () => s.backups.runNow(),
  };
}

/**
 * What a locked console still answers: who is signed in (for the lock screen), unlocking or
 * signing out, and whether changes are being sent. Everything else — every channel that reads or
 * changes patient data, now or added later — is refused until a staff member signs in again.
 */
const OPEN_WHILE_LOCKED = new Set<IpcChannel>(['app.status', 'auth.lock', 'auth.unlock', 'auth.enrolmentAtSignIn', 'auth.signOut', 'sync.status', 'sync.now']);
const LOCKED: ApiErrorBody = { code: 'not_signed_in', message: LOCKED_MESSAGE };

/** A refused change's description names the patient: a locked screen shows only the counts. */
function withoutPatientData(status: SyncStatus): SyncStatus {
  return { ...status, rejected: [] };
}

const CHANNELS = new Set<string>(IPC_CHANNELS);

const INTERNAL: ApiErrorBody = {
  code: 'internal',
  message: 'Something went wrong in the console. Try again; if it keeps happening, restart the console.',
};

/**
 * Logs an unexpected failure by kind and code location only: messages from the database or the
 * network can quote the patient data that caused them.
 */
function logUnexpected(log: (line: string) => void, channel: string, err: unknown): void {
  const name = err instanceof Error ? err.name : typeof err;
  const frames = err instanceof Error && err.stack ? err.stack.split('\n').filter((l) => l.trimStart().startsWith('at ')).slice(0, 8).join('\n') : '';
  log(`[ipc] ${channel} failed: ${name}${frames ? `\n${frames}` : ''}`);
}

/**
 * The console's request handler, with no Electron in it: Electron's ipcMain handlers call it,
 * and the browser end-to-end tests bridge `window.api` straight to it.
 */
export function createIpcRegistry(services: ConsoleServices, log: (line: string) => void = (l) => console.error(l)): IpcRegistry {
  const handlers = handlersFor(services);
  return {
    async invoke(channel: string, args: unknown): Promise<IpcResult<unknown>> {
      if (!CHANNELS.has(channel)) {
        return { ok: false, error: { code: 'not_found', message: 'The console does not know that request.' } };
      }
      const name = channel as IpcChannel;
      if (!argsMatch(name, args)) {
        return { ok: false, error: { code: 'validation_failed', message: 'The request was not understood. Reload the window and try again.' } };
      }
      try {
        const locked = await services.lock.isLocked();
        if (locked && !OPEN_WHILE_LOCKED.has(name)) {
          return { ok: false, error: LOCKED };
        }
        const handler = handlers[name] as (a: unknown) => Promise<unknown>;
        const value = await handler(args);
        if (locked && (name === 'sync.status' || name === 'sync.now')) {
          return { ok: true, value: withoutPatientData(value as SyncStatus) };
        }
        return { ok: true, value };
      } catch (err) {
        if (err instanceof DomainError) {
          return { ok: false, error: err.toBody() };
        }
        logUnexpected(log, channel, err);
        return { ok: false, error: INTERNAL };
      }
    },
    on(event, listener) {
      if (event !== 'sync.status') {
        return services.events.on(event, listener);
      }
      return services.events.on('sync.status', (status) => {
        (listener as (payload: SyncStatus) => void)(services.lock.lockedHint() ? withoutPatientData(status) : status);
      });
    },
  };
}
