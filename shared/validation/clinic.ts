import './locale';
import { number, object, string } from 'yup';
import type { InferType } from 'yup';
import { MESSAGE_REPLIERS, PASSWORD_POLICIES, SECOND_FACTOR_POLICIES } from '../domain/clinic';
import { isValidTimeZone } from '../time/dateOnly';

export const INVITATION_LIFETIME_DAYS = { min: 1, max: 90 } as const;
export const APPOINTMENT_CANCEL_HOURS = { min: 0, max: 168 } as const;
export const STAFF_TOKEN_LIFETIME_DAYS = { min: 1, max: 365 } as const;
export const STAFF_TOKEN_IDLE_DAYS = { min: 1, max: 90 } as const;

/**
 * Line breaks (CR, LF, NEL, U+2028/2029) and other control characters. The clinic's name, phone
 * and address go into every email (the sender's name, the text): one line each, nothing a mail
 * header or a reader's screen would take as structure.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const CONTROL_OR_LINE_BREAK = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;

/** One line of text up to `max` characters (the length is checked before the pattern runs). */
const oneLine = (required: string, max: number, tooLong: string) =>
  string()
    .trim()
    .required(required)
    .max(max, tooLong)
    .test('one-line', 'Use one line of plain text (no line breaks or control characters).', (v) => !v || v.length > max || !CONTROL_OR_LINE_BREAK.test(v));

/** The clinic's own details: asked at setup and changed later by an admin, under the same rules. */
export const clinicDetailsFields = {
  name: oneLine("Enter the clinic's name.", 120, 'Clinic names can have at most 120 characters.'),
  phone: oneLine("Enter the clinic's phone number.", 32, 'That phone number is too long.'),
  address: oneLine("Enter the clinic's address.", 200, 'Addresses can have at most 200 characters.'),
  timeZone: string()
    .trim()
    .required('Choose the time zone.')
    .max(64, 'Choose a time zone such as America/New_York.')
    .test('tz', 'Choose a time zone such as America/New_York.', (v) => (v ? v.length <= 64 && isValidTimeZone(v) : true)),
};

function wholeNumber(unit: string, range: { min: number; max: number }) {
  const message = `Enter a whole number of ${unit} from ${range.min} to ${range.max}.`;
  return number().typeError(message).required(message).integer(message).min(range.min, message).max(range.max, message);
}

/** Clinic settings an admin changes from the console (PATCH /api/staff/clinic runs the same schema). */
export const clinicSettingsSchema = object({
  ...clinicDetailsFields,
  passwordPolicy: string().required('Choose a password policy.').oneOf([...PASSWORD_POLICIES], 'Choose a password policy.'),
  invitationLifetimeDays: wholeNumber('days', INVITATION_LIFETIME_DAYS),
  appointmentCancelHours: wholeNumber('hours', APPOINTMENT_CANCEL_HOURS),
  staffTokenLifetimeDays: wholeNumber('days', STAFF_TOKEN_LIFETIME_DAYS),
  staffTokenIdleDays: wholeNumber('days', STAFF_TOKEN_IDLE_DAYS).test(
    'within-lifetime',
    'The unused limit cannot be longer than the sign-in lifetime.',
    function withinLifetime(v) {
      const lifetime = (this.parent as { staffTokenLifetimeDays?: unknown }).staffTokenLifetimeDays;
      return typeof v !== 'number' || typeof lifetime !== 'number' || v <= lifetime;
    },
  ),
  messageRepliers: string().required('Choose who may answer patients.').oneOf([...MESSAGE_REPLIERS], 'Choose who may answer patients.'),
  secondFactorPolicy: string().required('Choose who must use a second factor.').oneOf([...SECOND_FACTOR_POLICIES], 'Choose who must use a second factor.'),
});
export type ClinicSettingsForm = InferType<typeof clinicSettingsSchema>;
