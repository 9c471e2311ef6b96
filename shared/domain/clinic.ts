import type { StaffRole } from './staff';

export const PASSWORD_POLICIES = ['default', 'strong'] as const;
/** `default` is the patient guide's rule; `strong` is for clinics that want passphrases. */
export type PasswordPolicy = (typeof PASSWORD_POLICIES)[number];
/** How the console names each policy to an admin choosing one. */
export const PASSWORD_POLICY_LABELS: Record<PasswordPolicy, string> = {
  default: 'Patient guide rule: 8–15 characters, a number and a capital letter',
  strong: 'Stronger: passphrases of 15+ characters, common passwords refused',
};

export const DEFAULT_INVITATION_LIFETIME_DAYS = 14;

/** A console's sign-in ends this many days after it was made, however much it is used. */
export const DEFAULT_STAFF_TOKEN_LIFETIME_DAYS = 30;
/** …and after this many days in which the console never reached the server. */
export const DEFAULT_STAFF_TOKEN_IDLE_DAYS = 7;

/** Who may write to patients (answer or start a conversation). Physicians always may; routing is every desk role's. */
export const MESSAGE_REPLIERS = ['physicians', 'physicians_receptionists', 'physicians_receptionists_admins'] as const;
export type MessageRepliers = (typeof MESSAGE_REPLIERS)[number];
export const DEFAULT_MESSAGE_REPLIERS: MessageRepliers = 'physicians_receptionists';
export const MESSAGE_REPLIERS_LABELS: Record<MessageRepliers, string> = {
  physicians: 'Physicians only',
  physicians_receptionists: 'Physicians, and receptionists for non-clinical questions',
  physicians_receptionists_admins: 'Physicians, receptionists and administrators',
};

const REPLYING_ROLES: Record<MessageRepliers, readonly StaffRole[]> = {
  physicians: ['physician'],
  physicians_receptionists: ['physician', 'receptionist'],
  physicians_receptionists_admins: ['physician', 'receptionist', 'admin'],
};

/** The roles that may write to patients under the clinic's setting (a clinic saved before the setting has the default). */
export function rolesThatMayReply(clinic: { messageRepliers?: MessageRepliers }): readonly StaffRole[] {
  return REPLYING_ROLES[clinic.messageRepliers ?? DEFAULT_MESSAGE_REPLIERS] ?? REPLYING_ROLES[DEFAULT_MESSAGE_REPLIERS];
}

/** Said to a staff member whose role may not write to patients under the clinic's setting (server and console alike). */
export function replyRefusal(clinic: { messageRepliers?: MessageRepliers }): string {
  const who = clinic.messageRepliers === 'physicians' ? 'only physicians answer' : 'only physicians and receptionists answer';
  return `Under this clinic's settings, ${who} patients' messages. Assign the conversation to a colleague instead.`;
}

export function mayReplyToPatients(clinic: { messageRepliers?: MessageRepliers }, role: StaffRole): boolean {
  return rolesThatMayReply(clinic).includes(role);
}

/** Who must use a second factor (a code from an authenticator app) to sign in to a console. */
export const SECOND_FACTOR_POLICIES = ['off', 'admins', 'physicians_admins', 'everyone'] as const;
export type SecondFactorPolicy = (typeof SECOND_FACTOR_POLICIES)[number];
/** New clinics (console first run, `portal:setup`) start here; clinics from before the setting keep "off". */
export const NEW_CLINIC_SECOND_FACTOR_POLICY: SecondFactorPolicy = 'admins';
export const SECOND_FACTOR_POLICY_LABELS: Record<SecondFactorPolicy, string> = {
  off: 'Not required (each person may still turn it on)',
  admins: 'Required for administrators',
  physicians_admins: 'Required for physicians and administrators',
  everyone: 'Required for everyone',
};
const SECOND_FACTOR_ROLES: Record<SecondFactorPolicy, readonly StaffRole[]> = {
  off: [],
  admins: ['admin'],
  physicians_admins: ['admin', 'physician'],
  everyone: ['admin', 'physician', 'receptionist'],
};

/** Whether the clinic's policy makes this role use a second factor (an unknown value counts as "admins"). */
export function secondFactorRequired(clinic: { secondFactorPolicy?: SecondFactorPolicy }, role: StaffRole): boolean {
  const roles = SECOND_FACTOR_ROLES[clinic.secondFactorPolicy ?? 'off'] ?? SECOND_FACTOR_ROLES.admins;
  return roles.includes(role);
}

export interface ClinicView {
  id: string;
  name: string;
  phone: string;
  address: string;
  timeZone: string;
  passwordPolicy: PasswordPolicy;
  invitationLifetimeDays: number;
  /** Hours before its start a patient may still cancel an appointment online. */
  appointmentCancelHours: number;
  /** Days a console's sign-in lasts at most, and days it lasts without reaching the server. */
  staffTokenLifetimeDays: number;
  staffTokenIdleDays: number;
  /** Who may answer patients' messages. */
  messageRepliers: MessageRepliers;
  /** Who must use a second factor to sign in. */
  secondFactorPolicy: SecondFactorPolicy;
}

/** What the patient portal may know about the clinic before anyone signs in. */
export interface ClinicPublicInfo {
  name: string;
  phone: string;
  timeZone: string;
  passwordPolicy: PasswordPolicy;
  /** Today's date in the clinic's time zone, YYYY-MM-DD: the limit for a date of birth. */
  today: string;
}
