import './locale';
import { object, ref, string } from 'yup';
import type { InferType } from 'yup';
import type { PasswordPolicy } from '../domain/clinic';
import { passwordSchema } from './fields';

/**
 * The "Set a new password" page opened from a front-desk reset link. The same schema drives the
 * portal's form and validates POST /api/password-reset on the server.
 */
export function linkPasswordResetSchema(policy: PasswordPolicy) {
  return object({
    password: passwordSchema(policy),
    confirmPassword: string().required('Re-type your new password.').oneOf([ref('password')], 'The passwords do not match.'),
  });
}
export type LinkPasswordResetForm = InferType<ReturnType<typeof linkPasswordResetSchema>>;
