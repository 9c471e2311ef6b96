import { nextTick, ref } from 'vue';

/**
 * The line that says what an action did (role="status") and its failure (role="alert"). An
 * action often removes the row whose button had focus, so focus moves to the message instead
 * of falling back to the top of the page.
 */
export function useActionStatus() {
  const message = ref('');
  const failure = ref<string | null>(null);
  const statusElement = ref<HTMLElement | null>(null);

  function reset(): void {
    message.value = '';
    failure.value = null;
  }

  async function announce(text: string): Promise<void> {
    failure.value = null;
    message.value = text;
    await nextTick();
    const focused = document.activeElement;
    if (!focused || focused === document.body || !focused.isConnected) {
      statusElement.value?.focus();
    }
  }

  function fail(text: string): void {
    message.value = '';
    failure.value = text;
  }

  return { message, failure, statusElement, reset, announce, fail };
}
