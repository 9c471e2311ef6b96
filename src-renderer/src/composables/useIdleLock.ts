import { onMounted, onUnmounted, watch } from 'vue';

const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/**
 * Calls `onIdle` once nobody has used the keyboard or mouse in this window for `seconds()`.
 * Activity only moves a timestamp; one timer checks it when it could first have run out, so
 * moving the mouse costs nothing. The main process also locks on the computer's own idle time.
 */
export function useIdleLock(seconds: () => number, onIdle: () => void): void {
  let lastActivity = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;

  function noteActivity(): void {
    lastActivity = Date.now();
  }

  function check(): void {
    const remaining = lastActivity + seconds() * 1000 - Date.now();
    if (remaining <= 0) {
      timer = undefined;
      onIdle();
      return;
    }
    timer = setTimeout(check, remaining);
  }

  onMounted(() => {
    for (const name of ACTIVITY_EVENTS) {
      window.addEventListener(name, noteActivity, { capture: true, passive: true });
    }
    noteActivity();
    check();
  });

  // A shorter setting takes effect at once, not when the old timer runs out.
  watch(seconds, () => {
    clearTimeout(timer);
    check();
  });

  onUnmounted(() => {
    clearTimeout(timer);
    for (const name of ACTIVITY_EVENTS) {
      window.removeEventListener(name, noteActivity, { capture: true });
    }
  });
}
