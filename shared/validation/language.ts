import { object, string } from 'yup';
import type { InferType } from 'yup';
import { PATIENT_LANGUAGES } from '../domain/language';

/** Account → language (PUT /api/account/language) and the desk's pre-registration field. */
export const LANGUAGE_MESSAGE = 'Choose English or Spanish.';

export const languageField = string().typeError(LANGUAGE_MESSAGE).oneOf([...PATIENT_LANGUAGES], LANGUAGE_MESSAGE);

export const changeLanguageSchema = object({
  language: languageField.required(LANGUAGE_MESSAGE),
});
export type ChangeLanguageForm = InferType<typeof changeLanguageSchema>;
