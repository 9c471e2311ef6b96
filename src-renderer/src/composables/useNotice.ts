import { ref } from 'vue';

// One short message carried from the screen that saved to the screen that shows the result.
const pending = ref<string | null>(null);

export function useNotice() {
  function leave(message: string): void {
    pending.value = message;
  }

  function take(): string | null {
    const message = pending.value;
    pending.value = null;
    return message;
  }

  return { leave, take };
}
