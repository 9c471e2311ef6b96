import { mixed, object, string } from 'yup';
import type { InferType } from 'yup';
import { isPatientLanguage, PATIENT_LANGUAGES } from '../domain/language';
import type { PatientLanguage } from '../domain/language';

/** Account → language (PUT /api/account/language) and the desk's pre-registration field. */
export const LANGUAGE_MESSAGE = 'Choose English or Spanish.';

export const languageField = string().typeError(LANGUAGE_MESSAGE).oneOf([...PATIENT_LANGUAGES], LANGUAGE_MESSAGE);

export const changeLanguageSchema = object({
  language: languageField.required(LANGUAGE_MESSAGE),
});
export type ChangeLanguageForm = InferType<typeof changeLanguageSchema>;

/**
 * The desk's "Preferred language" (pre-registration, patient edits, and the server's check of the
 * mutations they send): English, Spanish, or null for not chosen (the patient's browser decides).
 */
export const preferredLanguageField = mixed<PatientLanguage>()
  .nullable()
  .test('language', LANGUAGE_MESSAGE, (value) => value === undefined || value === null || isPatientLanguage(value));
