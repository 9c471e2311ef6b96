import { useField } from 'vee-validate';
import { watch } from 'vue';
import { useFieldIds } from './useFieldIds';

/**
 * A text field bound to the surrounding vee-validate form, with its ids and aria-describedby.
 * Errors appear when the field is left or the form is submitted, not at the first keystroke;
 * once shown, an error clears as soon as the value is fixed.
 */
export function useTextField(name: () => string, hint: () => string | undefined) {
  const { value, errorMessage, handleBlur, validate } = useField<string>(name, undefined, {
    validateOnValueUpdate: false,
  });
  watch(value, () => {
    if (errorMessage.value) {
      void validate();
    }
  });
  return { value, errorMessage, handleBlur, ...useFieldIds(hint, errorMessage) };
}
