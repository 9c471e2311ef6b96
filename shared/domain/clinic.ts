export const PASSWORD_POLICIES = ['default', 'strong'] as const;
/** `default` is the patient guide's rule; `strong` is for clinics that want passphrases. */
export type PasswordPolicy = (typeof PASSWORD_POLICIES)[number];

export const DEFAULT_INVITATION_LIFETIME_DAYS = 14;

export interface ClinicView {
  id: string;
  name: string;
  phone: string;
  address: string;
  timeZone: string;
  passwordPolicy: PasswordPolicy;
  invitationLifetimeDays: number;
  /** Hours before its start a patient may still cancel an appointment online (absent from servers before issue 4). */
  appointmentCancelHours?: number;
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
