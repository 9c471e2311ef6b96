import { useForm } from 'vee-validate';
import type { FormOptions, GenericObject, Path, PathValue, PublicPathState } from 'vee-validate';
import { nextTick, ref } from 'vue';
import type { AnyObjectSchema } from 'yup';
import { ApiError } from '../api/client';
import { describeError } from '../stores/resource';

export interface ApiFormOptions<TValues extends GenericObject> {
  /** The shared yup schema: the server runs the same one on the request. */
  schema: AnyObjectSchema;
  initialValues: TValues;
  /** The form's fields in page order: the first one with an error gets the focus. */
  fields: readonly (keyof TValues & string)[];
  /** Makes field ids unique on the page: `${idPrefix}-${field}`. */
  idPrefix: string;
  /** Sends the form; resolves to the sentence announced when it worked. */
  send: (values: TValues) => Promise<string>;
}

/**
 * Validate a field when the patient leaves it; once it shows an error, check it again as they
 * type, so the message goes away as soon as the answer is right.
 */
function validateOnBlurThenEagerly<TValue>(state: PublicPathState<TValue>) {
  const shown = state.errors.length > 0;
  return { validateOnBlur: true, validateOnChange: shown, validateOnInput: false, validateOnModelUpdate: shown };
}

/**
 * A patient form that talks to the portal API: client checks with the shared schema, the
 * server's field errors mapped onto the same fields, anything else as one form-level alert, and
 * a success sentence for a status region. The form clears after it worked.
 */
export function useApiForm<TValues extends GenericObject>(options: ApiFormOptions<TValues>) {
  // vee-validate types initial values as a deep partial, which a generic TValues cannot prove it is.
  const initialValues = options.initialValues as unknown as NonNullable<FormOptions<TValues>['initialValues']>;
  const { defineField, errors, handleSubmit, isSubmitting, setErrors, resetForm } = useForm<TValues>({
    validationSchema: options.schema,
    initialValues,
  });

  const formError = ref('');
  const formErrorElement = ref<HTMLElement | null>(null);
  /** What the last successful send announced; cleared when the patient sends again. */
  const success = ref('');

  function fieldId(name: keyof TValues & string): string {
    return `${options.idPrefix}-${name}`;
  }

  function field<TPath extends Path<TValues>>(name: TPath) {
    return defineField<TPath, PathValue<TValues, TPath>>(name, validateOnBlurThenEagerly);
  }

  function isField(name: string): name is keyof TValues & string {
    return (options.fields as readonly string[]).includes(name);
  }

  function focusFirstInvalid(invalid: Partial<Record<string, string | undefined>>): void {
    const first = options.fields.find((name) => invalid[name]);
    if (first) {
      document.getElementById(fieldId(first))?.focus();
    }
  }

  function showFormError(message: string): void {
    formError.value = message;
    void nextTick(() => formErrorElement.value?.focus());
  }

  function showServerError(err: unknown): void {
    if (!(err instanceof ApiError)) {
      showFormError(describeError(err));
      return;
    }
    if (err.code === 'not_signed_in') {
      // The app is already on its way to Sign In and says why there.
      return;
    }
    const fieldErrors: Record<string, string> = {};
    for (const [name, message] of Object.entries(err.fields)) {
      if (isField(name)) {
        fieldErrors[name] = message;
      }
    }
    if (Object.keys(fieldErrors).length === 0) {
      showFormError(err.message);
      return;
    }
    setErrors(fieldErrors as Parameters<typeof setErrors>[0]);
    void nextTick(() => focusFirstInvalid(fieldErrors));
    // Fields the form does not show still deserve a word.
    if (Object.keys(fieldErrors).length < Object.keys(err.fields).length) {
      formError.value = err.message;
    }
  }

  const submit = handleSubmit(
    async (values) => {
      formError.value = '';
      success.value = '';
      try {
        const message = await options.send(values);
        resetForm({ values: initialValues });
        success.value = message;
      } catch (err) {
        showServerError(err);
      }
    },
    ({ errors: invalid }) => {
      formError.value = '';
      success.value = '';
      focusFirstInvalid(invalid);
    },
  );

  return { field, fieldId, errors, isSubmitting, submit, formError, formErrorElement, success };
}
