import './locale';
import { object, ref, string } from 'yup';
import type { InferType } from 'yup';
import type { PasswordPolicy } from '../domain/clinic';
import { SECURITY_QUESTION_IDS } from '../domain/securityQuestions';
import { parseUsDate } from '../time/dateOnly';
import type { DateOnly } from '../time/dateOnly';
import { passwordSchema } from './fields';
import { patternWithin } from './pattern';

export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]+$/;

export const usernameSchema = string()
  .trim()
  .required('Enter a username.')
  .min(8, 'Username must have at least 8 characters (ex: William2).')
  .max(32, 'Username can have at most 32 characters.')
  .test(patternWithin(32, 'characters', 'Username can use letters, numbers and . _ - @ only.', USERNAME_PATTERN));

export const answerSchema = (n: 1 | 2) =>
  string()
    .trim()
    .required(`Provide a short answer for Security Question ${n}.`)
    .max(64, 'Answers can have at most 64 characters.');

const questionSchema = (n: 1 | 2) =>
  string()
    .required(`Select one question from the drop down for Security Question ${n}.`)
    .oneOf([...SECURITY_QUESTION_IDS], `Select one question from the drop down for Security Question ${n}.`);

/**
 * The "Complete Registration" form, from the patient guide. The SAME schema validates the form in
 * the browser and the request on the server. `today` is the clinic's calendar date (YYYY-MM-DD).
 */
export function registrationSchema(policy: PasswordPolicy, today: DateOnly) {
  return object({
    username: usernameSchema,
    password: passwordSchema(policy),
    confirmPassword: string()
      .required('Re-type your password.')
      .oneOf([ref('password')], 'The passwords do not match.'),
    question1: questionSchema(1),
    answer1: answerSchema(1),
    question2: questionSchema(2).test(
      'different-question',
      'Choose a different question from Security Question 1.',
      function (value) {
        return !value || value !== this.parent.question1;
      },
    ),
    answer2: answerSchema(2),
    dateOfBirth: dateOfBirthSchema(today),
    registrationId: string().trim().required('Enter the Registration ID from your invitation email.').max(32, 'That is not a Registration ID.'),
  });
}

export type RegistrationForm = InferType<ReturnType<typeof registrationSchema>>;

/** m/d/yyyy, a real calendar date, before the clinic's today. */
export function dateOfBirthSchema(today: DateOnly) {
  return string()
    .trim()
    .required('Enter your date of birth.')
    .test('us-date', 'Enter your date of birth as mm/dd/yyyy (ex: 04/12/1986).', (value) =>
      value ? parseUsDate(value) !== null : true,
    )
    .test('in-past', 'Date of birth must be in the past.', (value) => {
      const parsed = value ? parseUsDate(value) : null;
      return parsed === null || parsed < today;
    });
}
