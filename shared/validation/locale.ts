import { setLocale } from 'yup';

/**
 * yup's own default messages name the field by its code ("medicationId is a required field",
 * "physician must be a `string` type"). Every rule in shared/validation gives its own message; these
 * are the plain-English fallback for any rule that does not, so a field's code name never reaches a
 * patient or a staff member. Imported (for its effect) by every schema module here, before any
 * schema is built: yup reads these defaults when a rule is declared.
 */
const INVALID = 'This value is not valid.';

setLocale({
  mixed: {
    default: INVALID,
    required: 'This is required.',
    defined: 'This is required.',
    notNull: 'This is required.',
    oneOf: 'Choose one of the listed options.',
    notOneOf: INVALID,
    notType: 'This is not in the expected form.',
  },
  string: {
    length: ({ length }: { length: number }) => `Use exactly ${length} characters.`,
    min: ({ min }: { min: number }) => `Use at least ${min} characters.`,
    max: ({ max }: { max: number }) => `Keep it under ${max + 1} characters.`,
    matches: INVALID,
    email: 'Enter a valid email address.',
    url: INVALID,
    uuid: INVALID,
    trim: 'Remove the spaces at the start and end.',
    lowercase: INVALID,
    uppercase: INVALID,
  },
  number: {
    min: ({ min }: { min: number }) => `Enter ${min} or more.`,
    max: ({ max }: { max: number }) => `Enter ${max} or less.`,
    lessThan: ({ less }: { less: number }) => `Enter less than ${less}.`,
    moreThan: ({ more }: { more: number }) => `Enter more than ${more}.`,
    positive: 'Enter a number above 0.',
    negative: 'Enter a number below 0.',
    integer: 'Enter a whole number.',
  },
  date: { min: INVALID, max: INVALID },
  boolean: { isValue: INVALID },
  object: { noUnknown: INVALID },
  array: { min: INVALID, max: INVALID, length: INVALID },
});
