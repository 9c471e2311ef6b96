import { onUnmounted, watch } from 'vue';
import type { WatchSource } from 'vue';

/** Runs `effect` once the source has stopped changing for `delayMs` (a search box while typing). */
export function useDebouncedWatch<T>(source: WatchSource<T>, effect: (value: T) => void, delayMs: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;

  function cancel(): void {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
  }

  watch(source, (value) => {
    cancel();
    timer = setTimeout(() => {
      timer = undefined;
      effect(value);
    }, delayMs);
  });

  onUnmounted(cancel);
  return { cancel };
}
