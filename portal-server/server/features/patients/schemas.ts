import { number, object, string } from 'yup';
import { parseIsoDate } from '../../../../shared/time/dateOnly';
import type { DateOnly } from '../../../../shared/time/dateOnly';
import { EMAIL_OR_PHONE_MESSAGE, emailSchema, optionalEmailSchema, phoneSchema } from '../../../../shared/validation/fields';
import { preferredLanguageField } from '../../../../shared/validation/language';

const uuid = string().required().matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'Not a valid id.');
const name = (label: string) => string().trim().required(`Enter the patient's ${label}.`).max(80, `The ${label} can have at most 80 characters.`);
const isoDob = (today: DateOnly) =>
  string()
    .required("Enter the patient's date of birth.")
    .test('date', 'The date of birth is not a real date.', (v) => (v ? parseIsoDate(v) !== null : true))
    .test('past', 'The date of birth must be in the past.', (v) => !v || v < today);

/**
 * A schema that depends on today's date, built once per day rather than on every mutation (building
 * one costs ten times what validating with it does; these run inside the push's transaction).
 */
function perDay<S>(build: (today: DateOnly) => S): (today: DateOnly) => S {
  let last: { today: DateOnly; schema: S } | null = null;
  return (today) => {
    if (last?.today !== today) {
      last = { today, schema: build(today) };
    }
    return last.schema;
  };
}

/** The same field rules as the console's form (shared/validation), on the mutation's ISO date. */
export const preRegisterArgsSchema = perDay((today: DateOnly) =>
  object({
    patientId: uuid,
    givenName: name('given name'),
    familyName: name('family name'),
    dateOfBirth: isoDob(today),
    email: optionalEmailSchema,
    phone: phoneSchema.default(''),
    // Absent (a console from before issue 15): not chosen.
    language: preferredLanguageField.default(null),
    invitationId: uuid.nullable().defined().default(null),
  })
    .test('email-or-phone', EMAIL_OR_PHONE_MESSAGE, function (value) {
      return Boolean(value.email || value.phone?.trim()) || this.createError({ path: 'email', message: EMAIL_OR_PHONE_MESSAGE });
    })
    .test('letter-not-mail', NO_EMAIL_TO_INVITE, function (value) {
      return value.invitationId === null || Boolean(value.email) || this.createError({ path: 'invitationId', message: NO_EMAIL_TO_INVITE });
    }),
);

export const updatePatientArgsSchema = perDay((today: DateOnly) =>
  object({
    patientId: uuid,
    // 0: the desk had only its own pre-registration, whose push answer it never heard (the server
    // holds it). A field-level edit (args version 2) is judged by its base values, not this number.
    baseVersion: number().required().integer().min(0),
    changes: object({
      givenName: name('given name').optional().default(undefined),
      familyName: name('family name').optional().default(undefined),
      dateOfBirth: isoDob(today).optional().default(undefined),
      email: emailSchema.optional().default(undefined),
      phone: phoneSchema.optional().default(undefined),
      // null is a change too: back to "not chosen".
      language: preferredLanguageField.optional().default(undefined),
    }).required(),
  }),
);

/** A patient without email gets the invitation on paper: the desk prints a letter (online). */
export const NO_EMAIL_TO_INVITE = 'This patient has no email address, so the invitation cannot be emailed. Print an invitation letter instead.';

export const sendInvitationArgsSchema = object({ patientId: uuid, invitationId: uuid });
export const revokeInvitationArgsSchema = object({ invitationId: uuid });
