import { computed, onBeforeUnmount, ref, watch } from 'vue';
import { useRouter } from 'vue-router';
import { ApiError, onSessionActivity } from '../api/client';
import { i18n } from '../i18n';
import { useSessionStore } from '../stores/session';

/** The warning comes this long before the server's idle limit (less when the limit itself is short). */
const WARN_BEFORE_MS = 2 * 60_000;
/**
 * Typing is activity too: someone writing a long message makes no request for minutes. At most
 * this often, a keystroke tells the server (the same request as "Stay signed in").
 */
const TYPING_PING_MS = 60_000;
/**
 * Other tabs of this browser share the session cookie, so activity in one keeps the others from
 * signing the patient out: the latest deadline is kept here (a time, nothing about the patient).
 */
const SHARED_KEY = 'portal.idleDeadline';

function readShared(): number {
  try {
    return Number(localStorage.getItem(SHARED_KEY)) || 0;
  } catch {
    return 0;
  }
}
function writeShared(deadline: number | null): void {
  try {
    if (deadline === null) {
      localStorage.removeItem(SHARED_KEY);
    } else {
      localStorage.setItem(SHARED_KEY, String(deadline));
    }
  } catch {
    // Storage blocked: each tab keeps its own deadline.
  }
}

/** "15 minutes", "1 minute", "45 seconds" */
export function describeDuration(seconds: number): string {
  const { t } = i18n.global;
  if (seconds >= 60) {
    const minutes = Math.round(seconds / 60);
    return t('duration.minutes', { n: minutes }, minutes);
  }
  return t('duration.seconds', { n: seconds }, seconds);
}

/**
 * Counts down to the server's idle limit. Every signed-in API answer says how many seconds are
 * left (navigation loads data, so it counts as activity too); shortly before the end the warning
 * opens, and at the end the session is ended and the patient taken to Sign In.
 */
export function useIdleTimeout() {
  const session = useSessionStore();
  const router = useRouter();
  const deadline = ref<number | null>(null);
  const now = ref(Date.now());
  const busy = ref(false);

  const idleSeconds = computed(() => session.view?.idleTimeoutSeconds ?? 15 * 60);
  const warnLeadMs = computed(() => Math.min(WARN_BEFORE_MS, (idleSeconds.value * 1000) / 2));
  const remainingMs = computed(() => (deadline.value === null ? Infinity : Math.max(0, deadline.value - now.value)));
  const warning = computed(() => session.signedIn && deadline.value !== null && remainingMs.value <= warnLeadMs.value);

  function extendTo(at: number): void {
    deadline.value = at;
    writeShared(at);
  }

  onSessionActivity((seconds) => {
    if (session.signedIn) {
      extendTo(Date.now() + seconds * 1000);
    }
  });

  // A fresh sign-in starts a full period (its answer is not a signed-in request).
  watch(
    () => session.view?.csrfToken,
    (token, previous) => {
      if (!token) {
        deadline.value = null;
      } else if (token !== previous || deadline.value === null) {
        extendTo(Date.now() + idleSeconds.value * 1000);
      }
    },
    { immediate: true },
  );

  async function signOutForInactivity(): Promise<void> {
    if (busy.value) {
      return;
    }
    busy.value = true;
    try {
      const path = router.currentRoute.value.fullPath;
      deadline.value = null;
      writeShared(null);
      await session.signOutForInactivity(idleSeconds.value, path);
      await router.push({ name: 'sign-in' });
    } finally {
      busy.value = false;
    }
  }

  function tick(): void {
    now.value = Date.now();
    if (!session.signedIn || deadline.value === null) {
      return;
    }
    const shared = readShared();
    if (shared > deadline.value) {
      deadline.value = shared;
    }
    if (deadline.value <= now.value) {
      void signOutForInactivity();
    }
  }
  const timer = setInterval(tick, 1000);
  let lastPing = Date.now();
  const onTyping = (): void => {
    if (!session.signedIn || busy.value || warning.value || Date.now() - lastPing < TYPING_PING_MS) {
      return;
    }
    lastPing = Date.now();
    // The answer moves the deadline (onSessionActivity); a failure is handled when the time is up.
    void session.stayActive().catch(() => undefined);
  };
  document.addEventListener('keydown', onTyping, true);
  document.addEventListener('input', onTyping, true);
  // Timers in a hidden tab are slowed down: look again as soon as the patient comes back.
  const onVisible = (): void => {
    if (document.visibilityState === 'visible') {
      tick();
    }
  };
  document.addEventListener('visibilitychange', onVisible);
  onBeforeUnmount(() => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisible);
    document.removeEventListener('keydown', onTyping, true);
    document.removeEventListener('input', onTyping, true);
    onSessionActivity(null);
  });

  /** "Stay signed in": the server records the request as activity and says the new time left. */
  async function stay(): Promise<void> {
    if (busy.value) {
      return;
    }
    busy.value = true;
    try {
      await session.stayActive();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_signed_in') {
        busy.value = false;
        await signOutForInactivity();
        return;
      }
      // Unreachable for a moment: the warning stays open and the patient can try again.
    } finally {
      busy.value = false;
    }
  }

  return { warning, remainingMs, idleSeconds, busy, stay };
}
