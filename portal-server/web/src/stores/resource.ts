import { ref, shallowRef } from 'vue';
import type { Ref, ShallowRef } from 'vue';
import { ApiError } from '../api/client';
import { i18n } from '../i18n';

/** `loading` and `error` describe a resource that has no data yet; a failed refresh keeps its data. */
export type LoadState = 'idle' | 'loading' | 'ready' | 'error';

export interface Resource<T> {
  data: ShallowRef<T | null>;
  state: Ref<LoadState>;
  /** Why the last load failed, in the patient's words; '' when it worked. */
  error: Ref<string>;
  /** Loads, or refreshes while the old data stays on screen; concurrent calls share one request. */
  load(): Promise<void>;
  /** Replaces the data after an action answered with the new state. */
  set(value: T): void;
  /** Forgets the data (another thread opened in the same view). */
  reset(): void;
  /**
   * When the request behind the data was sent, as a sequence shared by all resources: when two
   * answers say the same thing differently (an unread count), the one asked later is the truth.
   */
  askedAt: Ref<number>;
}

const forgetters = new Set<() => void>();
let requestSequence = 0;

/**
 * Every patient resource is wiped when a session starts or ends, so the next person at this
 * browser never sees the last one's record, even for a moment.
 */
export function forgetPatientData(): void {
  for (const forget of forgetters) {
    forget();
  }
}

export function describeError(err: unknown): string {
  return err instanceof ApiError ? err.message : i18n.global.t('common.somethingWrong');
}

export function createResource<T>(fetchData: () => Promise<T>): Resource<T> {
  const data = shallowRef<T | null>(null);
  const state = ref<LoadState>('idle');
  const error = ref('');
  const askedAt = ref(0);
  // Answers that arrive after the patient signed out belong to nobody on this page any more.
  let generation = 0;
  let inFlight: Promise<void> | null = null;

  function reset(): void {
    generation += 1;
    inFlight = null;
    data.value = null;
    state.value = 'idle';
    error.value = '';
    askedAt.value = 0;
  }
  forgetters.add(reset);

  async function fetchOnce(mine: number): Promise<void> {
    requestSequence += 1;
    const asked = requestSequence;
    try {
      const result = await fetchData();
      if (mine === generation) {
        askedAt.value = asked;
        data.value = result;
        state.value = 'ready';
        error.value = '';
      }
    } catch (err) {
      if (mine === generation) {
        error.value = describeError(err);
        state.value = data.value === null ? 'error' : 'ready';
      }
    } finally {
      if (mine === generation) {
        inFlight = null;
      }
    }
  }

  function load(): Promise<void> {
    if (inFlight) {
      return inFlight;
    }
    if (data.value === null) {
      state.value = 'loading';
    }
    inFlight = fetchOnce(generation);
    return inFlight;
  }

  function set(value: T): void {
    requestSequence += 1;
    askedAt.value = requestSequence;
    data.value = value;
    state.value = 'ready';
  }

  return { data, state, error, askedAt, load, set, reset };
}
