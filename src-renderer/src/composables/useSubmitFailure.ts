import { nextTick, ref } from 'vue';
import type { Ref } from 'vue';
import { ConsoleError, errorMessage } from '../api';

type FieldErrorSetter = (fields: Record<string, string | undefined>) => void;

/**
 * Shows why a submit failed: field messages from the main process go onto the form's fields,
 * the rest into one form-level alert. Keyboard users land on the first field to fix.
 */
export function useSubmitFailure(
  formElement: Ref<HTMLFormElement | null>,
  fieldNames: readonly string[],
  describe: (error: unknown) => string = errorMessage,
) {
  const formError = ref<string | null>(null);

  function clear(): void {
    formError.value = null;
  }

  async function focusFirstInvalid(): Promise<void> {
    await nextTick();
    formElement.value?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }

  async function fail(error: unknown, setErrors: FieldErrorSetter): Promise<void> {
    const fields = error instanceof ConsoleError ? (error.fields ?? {}) : {};
    const onForm: Record<string, string> = {};
    const elsewhere: string[] = [];
    for (const [path, message] of Object.entries(fields)) {
      if (fieldNames.includes(path)) {
        onForm[path] = message;
      } else {
        elsewhere.push(message);
      }
    }
    setErrors(onForm);
    formError.value = [describe(error), ...elsewhere].join(' ');
    await focusFirstInvalid();
  }

  return { formError, clear, fail, focusFirstInvalid };
}
