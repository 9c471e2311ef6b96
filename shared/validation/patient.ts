import './locale';
import { object, string } from 'yup';
import type { InferType } from 'yup';
import { parseUsDate } from '../time/dateOnly';
import type { DateOnly } from '../time/dateOnly';
import { EMAIL_OR_PHONE_MESSAGE, optionalEmailSchema, phoneSchema } from './fields';
import { preferredLanguageField } from './language';

const nameSchema = (label: string) =>
  string().trim().required(`Enter the patient's ${label}.`).max(80, `The ${label} can have at most 80 characters.`);

/** The console's pre-registration form (date of birth typed as mm/dd/yyyy). */
export function preRegistrationSchema(today: DateOnly) {
  return object({
    givenName: nameSchema('given name'),
    familyName: nameSchema('family name'),
    dateOfBirth: string()
      .trim()
      .required("Enter the patient's date of birth.")
      .test('us-date', 'Enter the date of birth as mm/dd/yyyy.', (v) => (v ? parseUsDate(v) !== null : true))
      .test('in-past', 'The date of birth must be in the past.', (v) => {
        const d = v ? parseUsDate(v) : null;
        return d === null || d < today;
      }),
    email: optionalEmailSchema,
    phone: phoneSchema.default(''),
    // null: not chosen (the portal follows the patient's browser). Absent: a new patient's is not
    // chosen, an edited patient's stays as it is.
    language: preferredLanguageField,
  }).test('email-or-phone', EMAIL_OR_PHONE_MESSAGE, function (value) {
    // Named on the email field, so the form shows it where the desk will type.
    return Boolean(value.email?.trim() || value.phone?.trim()) || this.createError({ path: 'email', message: EMAIL_OR_PHONE_MESSAGE });
  });
}
export type PreRegistrationForm = InferType<ReturnType<typeof preRegistrationSchema>>;
