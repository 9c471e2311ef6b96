import './locale';
import { mixed, number, object, string } from 'yup';
import type { InferType } from 'yup';
import { APPOINTMENT_DURATIONS } from '../domain/appointment';
import { MESSAGE_MAX_LENGTH, SUBJECT_MAX_LENGTH } from '../domain/message';
import { END_OF_STORABLE_TIME, parseStorableInstant } from '../time/instant';

/** A UUID as every id in this product is written (any case). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const uuidSchema = string().required('Choose one from the list.').test('uuid', 'Not a valid id.', (v) => !v || (v.length === 36 && UUID.test(v)));

/** Plain text; control characters other than new lines and tabs are refused. */
const plainText = (label: string, max: number) =>
  string()
    .trim()
    .required(`Enter ${label}.`)
    .max(max, `Keep it under ${max} characters.`)
    // Past the length limit (which max() reports) the pattern never runs.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
    .test('plain', 'Use plain text only.', (v) => !v || v.length > max || !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(v));

/** Patient portal: request an appointment. */
export const appointmentRequestSchema = object({
  reason: plainText('the reason for your visit', 200),
  preferredPhysicianId: string()
    .nullable()
    .defined()
    .default(null)
    .test('uuid', 'Choose a physician from the list.', (v) => !v || (v.length === 36 && UUID.test(v))),
  preferredTimes: plainText('the days and times that suit you', 200),
});
export type AppointmentRequestForm = InferType<typeof appointmentRequestSchema>;

/** Console: schedule or propose a time. `start` is an ISO instant (the console converts from the clinic's zone). */
export const appointmentSlotSchema = object({
  physicianId: uuidSchema.required('Choose a physician.'),
  start: string()
    .required('Choose the start time.')
    // Start and end must be instants the database holds (years 1900..9999): a time past that used
    // to fail deep in the server and block every change the console sent after it.
    .test('instant', 'Choose a valid start time.', function isStorable(v) {
      if (!v) {
        return true;
      }
      const start = parseStorableInstant(v);
      const minutes: unknown = this.parent.durationMinutes;
      return start !== null && (typeof minutes !== 'number' || start + minutes * 60_000 < END_OF_STORABLE_TIME);
    }),
  durationMinutes: number()
    .required('Choose the length.')
    .oneOf([...APPOINTMENT_DURATIONS], 'Choose one of the listed lengths.'),
});
export type AppointmentSlotForm = InferType<typeof appointmentSlotSchema>;

export const staffReasonSchema = object({ reason: plainText('a reason the patient will see', 300) });

/** Patient portal: request a renewal of one of their medications. */
export const renewalRequestSchema = object({
  medicationId: uuidSchema.required('Choose a medication.'),
  pharmacy: string().trim().max(120, 'Keep it under 120 characters.').default(''),
  note: string().trim().max(500, 'Keep it under 500 characters.').default(''),
});
export type RenewalRequestForm = InferType<typeof renewalRequestSchema>;

/** Console: a physician's decision; a denial needs a reason the patient will see. */
export const renewalDecisionSchema = object({
  decision: mixed<'approved' | 'denied'>().oneOf(['approved', 'denied'], 'Choose approve or deny.').required('Choose approve or deny.'),
  note: string()
    .trim()
    .max(300, 'Keep it under 300 characters.')
    .default('')
    .when('decision', { is: 'denied', then: (s) => s.required('Say why, so the patient knows what to do next.') }),
  refillsGranted: number()
    .typeError('Refills must be a number.')
    .integer('Refills must be a whole number.')
    .min(0, 'Refills cannot be negative.')
    .max(99, 'At most 99 refills.')
    .nullable()
    .default(null),
});
export type RenewalDecisionForm = InferType<typeof renewalDecisionSchema>;

export const newThreadSchema = object({
  subject: plainText('a subject', SUBJECT_MAX_LENGTH),
  body: plainText('your message', MESSAGE_MAX_LENGTH),
});
export type NewThreadForm = InferType<typeof newThreadSchema>;

export const replySchema = object({ body: plainText('your message', MESSAGE_MAX_LENGTH) });
export type ReplyForm = InferType<typeof replySchema>;
