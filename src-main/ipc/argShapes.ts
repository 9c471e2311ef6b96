/**
 * Basic shape checks for what the renderer sends on each channel: the right kind of value in each
 * field, before any service sees it. Field rules (lengths, formats) are the services' yup schemas.
 */
import type { IpcChannel } from '../../shared/ipc/contract';

/** 'form' fields are checked against NESTED_FORMS. */
type FieldKind = 'string' | 'string?' | 'boolean' | 'form';
type Shape = 'none' | Record<string, FieldKind>;

const preRegistrationForm = { givenName: 'string?', familyName: 'string?', dateOfBirth: 'string?', email: 'string?', phone: 'string?' } as const;

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
  },
  'auth.signIn': { username: 'string', password: 'string' },
  'auth.signOut': 'none',
  'patients.list': { query: 'string' },
  'patients.get': { patientId: 'string' },
  'patients.findDuplicates': { givenName: 'string', familyName: 'string', dateOfBirth: 'string', email: 'string', excludePatientId: 'string?' },
  'patients.preRegister': { form: 'form', sendInvitation: 'boolean' },
  'patients.update': { patientId: 'string', form: 'form' },
  'invitations.send': { patientId: 'string' },
  'invitations.revoke': { patientId: 'string' },
  'staff.list': 'none',
  'staff.create': { username: 'string?', displayName: 'string?', role: 'string?', password: 'string?' },
  'staff.setActive': { staffUserId: 'string', active: 'boolean' },
  'staff.resetPassword': { staffUserId: 'string', password: 'string' },
  'sync.status': 'none',
  'sync.now': 'none',
};

/** Nested forms are checked with the same rules. */
export const NESTED_FORMS: Partial<Record<IpcChannel, Record<string, Record<string, FieldKind>>>> = {
  'patients.preRegister': { form: preRegistrationForm },
  'patients.update': { form: preRegistrationForm },
};

const MAX_STRING = 10_000;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
    } else if (kind === 'boolean' && typeof field !== 'boolean') {
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
