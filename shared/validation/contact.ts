import './locale';
import { object, string } from 'yup';
import type { InferType } from 'yup';
import { emailSchema, phoneSchema } from './fields';
import { recoveryCodeSchema } from './account';

/** Account → contact details: the same rules as pre-registration, for the portal's forms and the server. */

export const changePhoneSchema = object({
  phone: phoneSchema.required('Enter your phone number.'),
});
export type ChangePhoneForm = InferType<typeof changePhoneSchema>;

/** A new address needs the current password: an unattended signed-in browser must not redirect the account's mail. */
export const changeEmailSchema = object({
  email: emailSchema,
  currentPassword: string().required('Enter your current password.').max(256, 'That password is too long.'),
});
export type ChangeEmailForm = InferType<typeof changeEmailSchema>;

export const confirmEmailSchema = object({ code: recoveryCodeSchema });
export type ConfirmEmailForm = InferType<typeof confirmEmailSchema>;

/** Minutes a code for a new address works. */
export const EMAIL_CHANGE_CODE_MINUTES = 30;
/** Wrong codes before a change is dead and a new code must be asked for. */
export const EMAIL_CHANGE_MAX_TRIES = 5;
export const EMAIL_CHANGE_FAILED_MESSAGE = 'That code is not right or has expired. Ask for a new code.';
export const EMAIL_IN_USE_MESSAGE = 'Another patient account uses that email address. Use a different one, or call the clinic.';
