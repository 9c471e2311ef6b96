import { object, string, ValidationError } from 'yup';
import { APPOINTMENT_DURATIONS } from '../../../../shared/domain/appointment';
import { parseIsoDate } from '../../../../shared/time/dateOnly';
import { instantToZoned, zonedToInstant } from '../../../../shared/time/zoned';
import { appointmentSlotSchema } from '../../../../shared/validation/requests';
import type { AppointmentSlotForm } from '../../../../shared/validation/requests';
import { fieldErrors } from '../../../../shared/validation/validate';

/** What the desk types: a physician, the clinic-zone date and time, a length from the list. */
export interface SlotFields {
  physicianId: string;
  date: string;
  time: string;
  durationMinutes: string;
}

export const DURATION_OPTIONS = APPOINTMENT_DURATIONS.map((minutes) => ({ value: String(minutes), label: `${minutes} minutes` }));
export const DEFAULT_DURATION = '30';

/**
 * The form's own rules, field by field; the assembled slot is then checked by the shared
 * appointmentSlotSchema, the one the main process and the server run too.
 */
export function slotFieldsSchema(timeZone: string, now: () => Date = () => new Date()) {
  return object({
    physicianId: string().required('Choose a physician.'),
    date: string()
      .required('Enter the date.')
      .test('date', 'Enter a real date (YYYY-MM-DD).', (v) => !v || parseIsoDate(v) !== null),
    time: string()
      .required('Enter the start time.')
      .matches(/^([01]\d|2[0-3]):[0-5]\d$/, 'Enter the time as hh:mm.')
      .test('future', 'Choose a time that is still to come.', function isFuture(time) {
        const start = time ? zonedToInstant(String(this.parent.date ?? ''), time, timeZone) : null;
        return !start || Date.parse(start) > now().getTime();
      }),
    durationMinutes: string().required('Choose the length.'),
  });
}

/** The slot the main process takes: `start` is the clinic-zone date and time as a UTC instant. */
export function toSlot(fields: SlotFields, timeZone: string): { slot: AppointmentSlotForm } | { errors: Record<string, string | undefined> } {
  const candidate = {
    physicianId: fields.physicianId,
    start: zonedToInstant(fields.date, fields.time, timeZone) ?? '',
    durationMinutes: Number(fields.durationMinutes),
  };
  try {
    return { slot: appointmentSlotSchema.validateSync(candidate, { abortEarly: false, stripUnknown: true }) };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { errors: onFormFields(fieldErrors(error)) };
    }
    throw error;
  }
}

/** A message about `start` belongs at the Time field, where it is typed. */
export function onFormFields(fields: Record<string, string | undefined>): Record<string, string | undefined> {
  const { start, ...rest } = fields;
  return start ? { ...rest, time: start } : rest;
}

/** An existing slot (a proposal being replaced) as form fields. */
export function slotFieldsOf(start: string | null, end: string | null, timeZone: string): Pick<SlotFields, 'date' | 'time' | 'durationMinutes'> {
  if (!start) {
    return { date: '', time: '', durationMinutes: DEFAULT_DURATION };
  }
  const { date, time } = instantToZoned(start, timeZone);
  const minutes = end ? Math.round((Date.parse(end) - Date.parse(start)) / 60_000) : Number(DEFAULT_DURATION);
  const known = (APPOINTMENT_DURATIONS as readonly number[]).includes(minutes);
  return { date, time, durationMinutes: known ? String(minutes) : DEFAULT_DURATION };
}
