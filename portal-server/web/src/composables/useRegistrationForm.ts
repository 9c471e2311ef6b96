import { useForm } from 'vee-validate';
import type { LazyInputBindsConfig } from 'vee-validate';
import { nextTick, ref, watch } from 'vue';
import type { PasswordPolicy } from '../../../../shared/domain/clinic';
import type { RegistrationByIdRequest, RegistrationRequest, RegistrationResponse } from '../../../../shared/api/types';
import type { ErrorCode } from '../../../../shared/api/errors';
import { registrationSchema } from '../../../../shared/validation/registration';
import type { RegistrationForm } from '../../../../shared/validation/registration';
import { ApiError, api } from '../api/client';
import { i18n } from '../i18n';
import { useErrorSummary } from './useErrorSummary';

/** The form's fields in page order: the first one with an error gets the focus. */
export const REGISTRATION_FIELDS = [
  'username',
  'password',
  'confirmPassword',
  'question1',
  'answer1',
  'question2',
  'answer2',
  'dateOfBirth',
  'registrationId',
] as const;
export type RegistrationField = (typeof REGISTRATION_FIELDS)[number];

export function registrationFieldId(field: RegistrationField): string {
  return `register-${field}`;
}

/** Message keys of the fields' labels, for the error summary (the answers by their own aria-labels). */
const REGISTRATION_LABELS: Record<RegistrationField, string> = {
  username: 'register.username',
  password: 'register.password',
  confirmPassword: 'register.confirmPassword',
  question1: 'register.question1',
  answer1: 'register.answer1Label',
  question2: 'register.question2',
  answer2: 'register.answer2Label',
  dateOfBirth: 'register.dateOfBirth',
  registrationId: 'register.registrationId',
};

function isRegistrationField(name: string): name is RegistrationField {
  return (REGISTRATION_FIELDS as readonly string[]).includes(name);
}

export interface FormLevelError {
  code: ErrorCode;
  message: string;
}

export interface RegistrationFormOptions {
  policy: PasswordPolicy;
  /** The clinic's calendar date, YYYY-MM-DD: a date of birth must be before it. */
  today: string;
  /**
   * The invitation link's token: not a form field, added to the request on submit. Null when the
   * patient came without the link ("Have a Registration ID?"): the ID then finds the invitation.
   */
  token: string | null;
  onRegistered: (username: string) => void;
}

/**
 * Validate a field when the patient leaves it; once it shows an error, check it again as they
 * type, so the message goes away as soon as the answer is right.
 */
const validateOnBlurThenEagerly: LazyInputBindsConfig<string> = (state) => ({
  validateOnBlur: true,
  validateOnChange: state.errors.length > 0,
  validateOnInput: false,
  validateOnModelUpdate: state.errors.length > 0,
});

export function useRegistrationForm(options: RegistrationFormOptions) {
  const { defineField, errors, handleSubmit, isSubmitting, setErrors, validateField } = useForm<RegistrationForm>({
    validationSchema: registrationSchema(options.policy, options.today),
    initialValues: Object.fromEntries(REGISTRATION_FIELDS.map((field) => [field, ''])) as RegistrationForm,
  });

  const fields = {
    username: defineField('username', validateOnBlurThenEagerly),
    password: defineField('password', validateOnBlurThenEagerly),
    confirmPassword: defineField('confirmPassword', validateOnBlurThenEagerly),
    question1: defineField('question1', validateOnBlurThenEagerly),
    answer1: defineField('answer1', validateOnBlurThenEagerly),
    question2: defineField('question2', validateOnBlurThenEagerly),
    answer2: defineField('answer2', validateOnBlurThenEagerly),
    dateOfBirth: defineField('dateOfBirth', validateOnBlurThenEagerly),
    registrationId: defineField('registrationId', validateOnBlurThenEagerly),
  };

  // Rules that compare two fields: fixing one side must clear the message shown on the other.
  watch(fields.password[0], () => {
    if (errors.value.confirmPassword) {
      void validateField('confirmPassword');
    }
  });
  watch(fields.question1[0], () => {
    if (errors.value.question2) {
      void validateField('question2');
    }
  });

  const formError = ref<FormLevelError | null>(null);
  /** Set when a send stopped at the form's own checks: the error summary shows until the next send. */
  const checksFailed = ref(false);
  const formErrorElement = ref<HTMLElement | null>(null);

  function focusFirstInvalid(invalid: Partial<Record<string, string | undefined>>): void {
    const first = REGISTRATION_FIELDS.find((field) => invalid[field]);
    if (first) {
      document.getElementById(registrationFieldId(first))?.focus();
    }
  }

  function showFormError(error: FormLevelError): void {
    formError.value = error;
    void nextTick(() => formErrorElement.value?.focus());
  }

  function showServerError(err: ApiError): void {
    const fieldErrors: Partial<Record<RegistrationField, string>> = {};
    for (const [name, message] of Object.entries(err.fields)) {
      if (isRegistrationField(name)) {
        fieldErrors[name] = message;
      }
    }
    if (err.code === 'username_taken' && !fieldErrors.username) {
      fieldErrors.username = err.message;
    }
    if (Object.keys(fieldErrors).length > 0) {
      setErrors(fieldErrors);
      void nextTick(() => focusFirstInvalid(fieldErrors));
      return;
    }
    showFormError({ code: err.code, message: err.message });
  }

  const submit = handleSubmit(
    async (values) => {
      formError.value = null;
      checksFailed.value = false;
      try {
        const result =
          options.token === null
            ? await api.post<RegistrationResponse>('/api/registration/by-registration-id', { ...values } satisfies RegistrationByIdRequest)
            : await api.post<RegistrationResponse>('/api/registration', { ...values, token: options.token } satisfies RegistrationRequest);
        options.onRegistered(result.username);
      } catch (err) {
        if (err instanceof ApiError) {
          showServerError(err);
        } else {
          showFormError({ code: 'internal', message: i18n.global.t('common.somethingWrong') });
        }
      }
    },
    ({ errors: invalid }) => {
      formError.value = null;
      checksFailed.value = true;
      focusFirstInvalid(invalid);
    },
  );

  const { shownErrors, summary } = useErrorSummary({ errors, checksFailed, fields: REGISTRATION_FIELDS, labels: REGISTRATION_LABELS, fieldId: registrationFieldId });

  return { fields, errors: shownErrors, isSubmitting, submit, formError, formErrorElement, summary };
}
