import './locale';
import { object, string } from 'yup';
import type { InferType } from 'yup';
import { STAFF_ROLES } from '../domain/staff';
import { clinicDetailsFields } from './clinic';
import { patternWithin } from './pattern';
import { USERNAME_PATTERN } from './registration';

/** Staff choose longer passwords than the patient default: they see every patient's record. */
export const staffPasswordSchema = string()
  .required('Enter a password.')
  .min(8, 'Staff passwords need at least 8 characters.')
  .max(128, 'Passwords can have at most 128 characters.')
  .test(patternWithin(128, 'number', 'Include at least 1 number.', /\d/))
  .test(patternWithin(128, 'capital', 'Include at least 1 capital letter.', /[A-Z]/));

const staffUsernameSchema = string()
  .trim()
  .required('Enter a username.')
  .min(4, 'Usernames need at least 4 characters.')
  .max(32, 'Usernames can have at most 32 characters.')
  .test(patternWithin(32, 'characters', 'Use letters, numbers and . _ - @ only.', USERNAME_PATTERN));
const displayNameSchema = string().trim().required('Enter the name patients and colleagues see.').max(80, 'Names can have at most 80 characters.');

export const staffUserSchema = object({
  username: staffUsernameSchema,
  displayName: displayNameSchema,
  role: string().oneOf([...STAFF_ROLES], 'Choose a role.').required('Choose a role.'),
  password: staffPasswordSchema,
});
export type StaffUserForm = InferType<typeof staffUserSchema>;

export const clinicSetupSchema = object({
  ...clinicDetailsFields,
  adminUsername: staffUsernameSchema,
  adminDisplayName: displayNameSchema,
  adminPassword: staffPasswordSchema,
});
export type ClinicSetupForm = InferType<typeof clinicSetupSchema>;
