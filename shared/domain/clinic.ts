export const PASSWORD_POLICIES = ['default', 'strong'] as const;
/** `default` is the patient guide's rule; `strong` is for clinics that want passphrases. */
export type PasswordPolicy = (typeof PASSWORD_POLICIES)[number];
/** How the console names each policy to an admin choosing one. */
export const PASSWORD_POLICY_LABELS: Record<PasswordPolicy, string> = {
  default: 'Patient guide rule: 8–15 characters, a number and a capital letter',
  strong: 'Stronger: passphrases of 15+ characters, common passwords refused',
};

export const DEFAULT_INVITATION_LIFETIME_DAYS = 14;

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
