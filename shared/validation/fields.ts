import { string } from 'yup';
import type { PasswordPolicy } from '../domain/clinic';
import { COMMON_PASSWORDS } from './commonPasswords';
import { passwordRules } from './password';

/** A password under the clinic's policy; the messages say what to fix. */
export function passwordSchema(policy: PasswordPolicy) {
  const rules = passwordRules(policy);
  let schema = string()
    .required('Enter a password.')
    .min(rules.min, `Password must contain between ${rules.min} and ${rules.max} characters.`)
    .max(rules.max, `Password must contain between ${rules.min} and ${rules.max} characters.`);
  if (rules.needsNumber) {
    schema = schema.matches(/\d/, 'Password must include at least 1 number.');
  }
  if (rules.needsCapital) {
    schema = schema.matches(/[A-Z]/, 'Password must include at least 1 capital letter.');
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
  .max(254, 'That email address is too long.')
  .matches(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Enter an email address like name@example.com.');

export const phoneSchema = string()
  .trim()
  .max(32, 'That phone number is too long.')
  .matches(/^[0-9+()\-.\s]*$/, 'A phone number can use digits, spaces and + ( ) - . only.');
