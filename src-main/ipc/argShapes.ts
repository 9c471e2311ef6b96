/**
 * Basic shape checks for what the renderer sends on each channel: the right kind of value in each
 * field, before any service sees it. Field rules (lengths, formats) are the services' yup schemas.
 */
import type { IpcChannel } from '../../shared/ipc/contract';

/**
 * 'form' fields are checked against NESTED_FORMS; 'object' is any plain object (the service's
 * schema checks its fields); '?' kinds also accept null or a missing field.
 */
type FieldKind = 'string' | 'string?' | 'boolean' | 'boolean?' | 'number' | 'number?' | 'object' | 'form';
type Shape = 'none' | Record<string, FieldKind>;

const slot = { physicianId: 'string', start: 'string', durationMinutes: 'number' } as const;
const preRegistrationForm = { givenName: 'string?', familyName: 'string?', dateOfBirth: 'string?', email: 'string?', phone: 'string?', language: 'string?' } as const;

export const ARG_SHAPES: Record<IpcChannel, Shape> = {
  'app.status': 'none',
  'setup.createClinic': {
    name: 'string?',
    phone: 'string?',
    address: 'string?',
    timeZone: 'string?',
    adminUsername: 'string?',
    adminDisplayName: 'string?',
    adminPassword: 'string?',
    code: 'string?',
  },
  'setup.enrolment': { name: 'string', adminUsername: 'string' },
  'auth.signIn': { username: 'string', password: 'string', code: 'string?', trustComputer: 'boolean?' },
  'auth.enrolmentAtSignIn': { username: 'string', password: 'string' },
  'auth.signOut': 'none',
  'patients.list': { query: 'string' },
  'patients.get': { patientId: 'string' },
  'patients.findDuplicates': { givenName: 'string', familyName: 'string', dateOfBirth: 'string', email: 'string', excludePatientId: 'string?' },
  'patients.preRegister': { form: 'form', sendInvitation: 'boolean' },
  'patients.update': { patientId: 'string', form: 'form' },
  'invitations.send': { patientId: 'string' },
  'invitations.revoke': { patientId: 'string' },
  'invitations.printLetter': { patientId: 'string' },
  'invitations.needingAttention': 'none',
  'staff.list': 'none',
  'staff.create': { username: 'string?', displayName: 'string?', role: 'string?', password: 'string?' },
  'staff.setActive': { staffUserId: 'string', active: 'boolean' },
  'staff.resetPassword': { staffUserId: 'string', password: 'string' },
  'staff.resetSecondFactor': { staffUserId: 'string' },
  'staff.directory': 'none',
  'clinic.update': {
    name: 'string?',
    phone: 'string?',
    address: 'string?',
    timeZone: 'string?',
    passwordPolicy: 'string?',
    invitationLifetimeDays: 'number?',
    appointmentCancelHours: 'number?',
    staffTokenLifetimeDays: 'number?',
    staffTokenIdleDays: 'number?',
    messageRepliers: 'string?',
    secondFactorPolicy: 'string?',
  },
  'appointments.queue': 'none',
  'appointments.schedule': { from: 'string', to: 'string', physicianId: 'string?' },
  'appointments.forPatient': { patientId: 'string' },
  'appointments.create': { ...slot, patientId: 'string', reason: 'string' },
  'appointments.schedule.book': { ...slot, appointmentId: 'string' },
  'appointments.propose': { ...slot, appointmentId: 'string', note: 'string' },
  'appointments.decline': { appointmentId: 'string', reason: 'string' },
  'appointments.cancel': { appointmentId: 'string', reason: 'string' },
  'appointments.complete': { appointmentId: 'string' },
  'renewals.queue': { status: 'string' },
  'renewals.decide': { renewalId: 'string', decision: 'string', note: 'string?', refillsGranted: 'number?' },
  'messages.inbox': { filter: 'string' },
  'messages.thread': { threadId: 'string' },
  'messages.start': { patientId: 'string', subject: 'string', body: 'string' },
  'messages.reply': { threadId: 'string', body: 'string', seenThroughMessageId: 'string?' },
  'messages.assign': { threadId: 'string', staffUserId: 'string?' },
  'messages.setStatus': { threadId: 'string', status: 'string', seenThroughMessageId: 'string?' },
  'messages.markRead': { threadId: 'string', seenThroughMessageId: 'string?' },
  'record.get': { patientId: 'string' },
  'record.save': { kind: 'string', patientId: 'string', entryId: 'string?', fields: 'object' },
  'record.delete': { kind: 'string', entryId: 'string' },
  'work.counts': 'none',
  'sync.status': 'none',
  'sync.now': 'none',
  'sync.dismissRejected': { seq: 'number' },
  'sync.resendHeld': { seq: 'number' },
  'sync.discardHeld': { seq: 'number' },
  'auth.lock': 'none',
  'auth.unlock': { username: 'string', password: 'string', code: 'string?', trustComputer: 'boolean?' },
  'console.setIdleLock': { minutes: 'number' },
  'patients.unlockPortalAccount': { patientId: 'string' },
  'patients.sendPasswordReset': { patientId: 'string' },
  'patients.resetSecondFactor': { patientId: 'string' },
  'devices.list': 'none',
  'devices.revoke': { deviceId: 'string' },
  'devices.trusted': 'none',
  'account.secondFactor': 'none',
  'account.startSecondFactor': 'none',
  'account.confirmSecondFactor': { code: 'string' },
  'account.renewRecoveryCodes': { code: 'string' },
  'devices.revokeTrust': { trustId: 'string' },
  'audit.search': { filters: 'form' },
  'server.check': { address: 'string' },
  'server.connect': { address: 'string', confirmedFingerprint: 'string?', deviceName: 'string?', username: 'string', password: 'string', code: 'string?', trustComputer: 'boolean?' },
  'server.enrolmentAtSignIn': { address: 'string', confirmedFingerprint: 'string?', deviceName: 'string?', username: 'string', password: 'string' },
  'server.current': 'none',
  'server.test': 'none',
  'portal.settings': 'none',
  'portal.saveSettings': { form: 'form' },
  'portal.letDesksJoin': 'none',
  'portal.sendTestEmail': { to: 'string' },
  'backups.status': 'none',
  'backups.runNow': 'none',
};

/** Nested forms are checked with the same rules. */
export const NESTED_FORMS: Partial<Record<IpcChannel, Record<string, Record<string, FieldKind>>>> = {
  'patients.preRegister': { form: preRegistrationForm },
  'patients.update': { form: preRegistrationForm },
  'portal.saveSettings': {
    form: {
      publicUrl: 'string',
      host: 'string',
      port: 'number?',
      tlsCert: 'string',
      tlsKey: 'string',
      trustProxy: 'string',
      plainHttpBehindProxy: 'boolean',
      smtpUrl: 'string',
      mailFrom: 'string',
      letDesksJoin: 'boolean',
      smtpPassword: 'string',
      clearSmtpPassword: 'boolean',
    },
  },
  'audit.search': { filters: { actorId: 'string?', action: 'string?', patientId: 'string?', from: 'string?', to: 'string?', limit: 'number?', before: 'string?' } },
};

const MAX_STRING = 10_000;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function matches(value: unknown, shape: Record<string, FieldKind>, nested: Record<string, Record<string, FieldKind>> = {}): boolean {
  if (!isPlainObject(value)) {
    return false;
  }
  for (const [key, kind] of Object.entries(shape)) {
    const field = value[key];
    if (kind === 'form') {
      const nestedShape = nested[key];
      if (!nestedShape || !matches(field, nestedShape)) {
        return false;
      }
    } else if (kind === 'string?') {
      if (field !== undefined && field !== null && (typeof field !== 'string' || field.length > MAX_STRING)) {
        return false;
      }
    } else if (kind === 'string') {
      if (typeof field !== 'string' || field.length > MAX_STRING) {
        return false;
      }
    } else if (kind === 'boolean?' && field !== undefined && field !== null && typeof field !== 'boolean') {
      return false;
    } else if (kind === 'boolean' && typeof field !== 'boolean') {
      return false;
    } else if (kind === 'number' && !isFiniteNumber(field)) {
      return false;
    } else if (kind === 'number?' && field !== undefined && field !== null && !isFiniteNumber(field)) {
      return false;
    } else if (kind === 'object' && !isPlainObject(field)) {
      return false;
    }
  }
  return true;
}

/** Whether `args` has the basic shape the channel expects. */
export function argsMatch(channel: IpcChannel, args: unknown): boolean {
  const shape = ARG_SHAPES[channel];
  if (shape === 'none') {
    return args === undefined || args === null;
  }
  return matches(args, shape, NESTED_FORMS[channel]);
}
