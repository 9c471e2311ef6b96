import './locale';
import { object, ref, string } from 'yup';
import type { InferType } from 'yup';
import type { PasswordPolicy } from '../domain/clinic';
import type { DateOnly } from '../time/dateOnly';
import { emailSchema, passwordSchema } from './fields';
import { dateOfBirthSchema } from './registration';

/**
 * Forgot password / forgot username and change password. The same schemas drive the portal's
 * forms and validate the requests on the server.
 */

export const forgotPasswordSchema = object({
  username: string().trim().required('Enter your username.').max(64, 'That username is too long.'),
});
export type ForgotPasswordForm = InferType<typeof forgotPasswordSchema>;

export function forgotUsernameSchema(today: DateOnly) {
  return object({
    email: emailSchema,
    dateOfBirth: dateOfBirthSchema(today),
  });
}
export type ForgotUsernameForm = InferType<ReturnType<typeof forgotUsernameSchema>>;

/** Longer than any code typed with spaces: such text is refused without running a pattern on it. */
const RECOVERY_CODE_MAX_TYPED = 32;

/** Six digits; spaces or a dash typed in the middle ("123 456") are forgiven. */
export const recoveryCodeSchema = string()
  .transform((value: unknown) => (typeof value === 'string' && value.length <= RECOVERY_CODE_MAX_TYPED ? value.replace(/[\s-]/g, '') : value))
  .required('Enter the 6-digit code from the email.')
  .test('code', 'The code has 6 digits (ex: 123456).', (value) => !value || (value.length === 6 && /^\d{6}$/.test(value)));

export const recoveryCodeFormSchema = object({ code: recoveryCodeSchema });
export type RecoveryCodeForm = InferType<typeof recoveryCodeFormSchema>;

export const securityAnswerSchema = string()
  .trim()
  .required('Enter the answer to your security question.')
  .max(64, 'Answers can have at most 64 characters.');

const confirmPasswordSchema = string()
  .required('Re-type your new password.')
  .oneOf([ref('password')], 'The passwords do not match.');

/** The last step of password recovery: the answer and a new password under the clinic's policy. */
export function recoverPasswordSchema(policy: PasswordPolicy) {
  return object({
    answer: securityAnswerSchema,
    password: passwordSchema(policy),
    confirmPassword: confirmPasswordSchema,
  });
}
export type RecoverPasswordForm = InferType<ReturnType<typeof recoverPasswordSchema>>;

export const recoverUsernameSchema = object({ answer: securityAnswerSchema });
export type RecoverUsernameForm = InferType<typeof recoverUsernameSchema>;

/** Signed in: the current password, then a new one under the clinic's policy. */
export function changePasswordSchema(policy: PasswordPolicy) {
  return object({
    currentPassword: string().required('Enter your current password.').max(256, 'That password is too long.'),
    password: passwordSchema(policy).test(
      'not-the-same',
      'Choose a new password that is different from your current one.',
      function (value) {
        return !value || value !== this.parent.currentPassword;
      },
    ),
    confirmPassword: confirmPasswordSchema,
  });
}
export type ChangePasswordForm = InferType<ReturnType<typeof changePasswordSchema>>;
