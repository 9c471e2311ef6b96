import './locale';
import { string } from 'yup';
import type { PasswordPolicy } from '../domain/clinic';
import { COMMON_PASSWORDS } from './commonPasswords';
import { passwordRules } from './password';
import { patternWithin } from './pattern';

export const EMAIL_MAX_LENGTH = 254;
/**
 * Something@domain.tld. Linear: the domain's labels cannot contain the dots between them, so no
 * two quantifiers can trade characters (the old `[^\s@]+\.[^\s@]+` backtracked on "a@" followed by
 * thousands of dots). A pattern that backtracks fails lint (regexp/no-super-linear-backtracking).
 */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s.@]+(?:\.[^\s.@]+)+$/;
export const PHONE_MAX_LENGTH = 32;

/** A password under the clinic's policy; the messages say what to fix. */
export function passwordSchema(policy: PasswordPolicy) {
  const rules = passwordRules(policy);
  let schema = string()
    .required('Enter a password.')
    .min(rules.min, `Password must contain between ${rules.min} and ${rules.max} characters.`)
    .max(rules.max, `Password must contain between ${rules.min} and ${rules.max} characters.`);
  if (rules.needsNumber) {
    schema = schema.test(patternWithin(rules.max, 'number', 'Password must include at least 1 number.', /\d/));
  }
  if (rules.needsCapital) {
    schema = schema.test(patternWithin(rules.max, 'capital', 'Password must include at least 1 capital letter.', /[A-Z]/));
  }
  if (rules.blockCommon) {
    schema = schema.test('not-common', 'That password is too common. Choose another.', (value) =>
      value ? !COMMON_PASSWORDS.has(value.toLowerCase()) : true,
    );
  }
  return schema;
}

export const emailSchema = string()
  .trim()
  .required('Enter an email address.')
  .max(EMAIL_MAX_LENGTH, 'That email address is too long.')
  .test(patternWithin(EMAIL_MAX_LENGTH, 'email', 'Enter an email address like name@example.com.', EMAIL_PATTERN));

/** An email address that may be left empty (a patient invited by a printed letter). */
export const optionalEmailSchema = string()
  .trim()
  .default('')
  .max(EMAIL_MAX_LENGTH, 'That email address is too long.')
  .test('email', 'Enter an email address like name@example.com.', (value) => !value || value.length > EMAIL_MAX_LENGTH || EMAIL_PATTERN.test(value));

/** Email or phone: how the clinic reaches a patient. Without either there is no one to invite. */
export const EMAIL_OR_PHONE_MESSAGE = 'Enter an email address or a phone number. A patient without email is invited by a printed letter.';

export const phoneSchema = string()
  .trim()
  .max(PHONE_MAX_LENGTH, 'That phone number is too long.')
  .test(patternWithin(PHONE_MAX_LENGTH, 'phone', 'A phone number can use digits, spaces and + ( ) - . only.', /^[0-9+()\-.\s]*$/));
