import { useForm } from 'vee-validate';
import type { FormOptions, GenericObject, Path, PathValue, PublicPathState } from 'vee-validate';
import { computed, nextTick, ref, watch } from 'vue';
import type { Ref } from 'vue';
import { useDraftsStore } from '../stores/drafts';
import type { AnyObjectSchema } from 'yup';
import { ApiError } from '../api/client';
import { useErrorSummary } from './useErrorSummary';
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
  /**
   * Keeps what was typed, unsent, under this key (stores/drafts.ts, memory only): shown again
   * after a sign-out for inactivity and signing in again in this tab. Cleared once sent.
   */
  draftKey?: string;
  /**
   * Message keys of the fields' labels, for a long form's error summary (ErrorSummary.vue): when
   * given, `summary` lists what needs fixing after a send that did not pass its checks.
   */
  labels?: Partial<Record<keyof TValues & string, string>>;
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
  const drafts = options.draftKey ? useDraftsStore() : null;
  const draft = options.draftKey ? drafts?.get<Record<string, unknown>>(options.draftKey) : undefined;
  const { defineField, errors, handleSubmit, isSubmitting, setErrors, resetForm, values } = useForm<TValues>({
    validationSchema: options.schema,
    initialValues: draft ? ({ ...(initialValues as Record<string, unknown>), ...draft } as typeof initialValues) : initialValues,
  });
  if (drafts && options.draftKey) {
    const key = options.draftKey;
    watch(values, (now) => drafts.set(key, { ...now }), { deep: true });
  }

  const formError = ref('');
  const formErrorElement = ref<HTMLElement | null>(null);
  /** What the last successful send announced; cleared when the patient sends again. */
  const success = ref('');
  /** Set when a send stopped at the form's own checks: the error summary shows until the next send. */
  const checksFailed = ref(false);

  function fieldId(name: keyof TValues & string): string {
    return `${options.idPrefix}-${name}`;
  }

  /**
   * A field's model and attributes. Leaving it checks it — except when the focus goes into a
   * dialog that opened by itself (the idle warning): the patient did not leave the field, so it
   * is not marked wrong behind the dialog.
   */
  function field<TPath extends Path<TValues>>(name: TPath) {
    const [model, attrs] = defineField<TPath, PathValue<TValues, TPath>>(name, validateOnBlurThenEagerly);
    const guarded = computed(() => ({
      ...attrs.value,
      onBlur: (event: FocusEvent) => {
        const to = event.relatedTarget instanceof Element ? event.relatedTarget : null;
        if (to?.closest('dialog, [role="dialog"], [role="alertdialog"]')) {
          return;
        }
        (attrs.value as { onBlur?: (e: FocusEvent) => void }).onBlur?.(event);
      },
    }));
    // The same shape vee-validate gives (a ref of the field's props), so forms need not change.
    return [model, guarded as unknown as typeof attrs] as [typeof model, typeof attrs];
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
      checksFailed.value = false;
      try {
        const message = await options.send(values);
        resetForm({ values: initialValues });
        if (drafts && options.draftKey) {
          drafts.clear(options.draftKey);
        }
        success.value = message;
      } catch (err) {
        showServerError(err);
      }
    },
    ({ errors: invalid }) => {
      formError.value = '';
      success.value = '';
      checksFailed.value = true;
      focusFirstInvalid(invalid);
    },
  );

  const { shownErrors: translated, summary } = useErrorSummary({
    errors: errors as Readonly<Ref<Partial<Record<keyof TValues & string, string | undefined>>>>,
    checksFailed,
    fields: options.fields,
    labels: options.labels,
    fieldId,
  });
  const shownErrors = translated as unknown as typeof errors;

  return { field, fieldId, errors: shownErrors, isSubmitting, submit, formError, formErrorElement, success, summary };
}
