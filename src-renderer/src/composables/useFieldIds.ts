import { computed, useId } from 'vue';
import type { ComputedRef, Ref } from 'vue';

/** Ids for a field, its hint and its error, and the aria-describedby that ties the shown ones to it. */
export function useFieldIds(
  hint: () => string | undefined,
  errorMessage: Ref<string | undefined>,
): { id: string; hintId: string; errorId: string; describedBy: ComputedRef<string | undefined> } {
  const id = `field-${useId()}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = computed(() => {
    const ids = [hint() ? hintId : '', errorMessage.value ? errorId : ''].filter((part) => part !== '');
    return ids.length > 0 ? ids.join(' ') : undefined;
  });
  return { id, hintId, errorId, describedBy };
}
