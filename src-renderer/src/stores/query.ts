import { ref, shallowRef } from 'vue';
import { errorMessage, subscribe } from '../api';
import type { LoadState } from './patients';

export interface QueryOptions {
  /**
   * Reload only when one of these replica tables changed. Left out, any change reloads: cheap
   * local reads. A read the main process audits (the medical record) must name its tables, or
   * every unrelated sync would record another look at the patient's record.
   */
  tables?: readonly string[];
}

/**
 * One list or record a screen shows, read through window.api: loading / ready / error, the
 * newest request wins, and while a screen has it open it follows 'data.changed'. Used inside
 * the setup stores, which stay the only callers of window.api.
 */
export function createQuery<A, T>(fetch: (args: A) => Promise<T>, options: QueryOptions = {}) {
  const data = shallowRef<T | null>(null);
  const state = ref<LoadState>('idle');
  const error = ref<string | null>(null);
  let args: A | null = null;
  let argsKey = '';
  let request = 0;
  let unsubscribe: (() => void) | null = null;
  let followers = 0;

  /** Loads `next`; the same arguments again (a return to the screen, a change) keep the rows on screen meanwhile. */
  async function load(next: A): Promise<void> {
    const mine = ++request;
    const key = JSON.stringify(next);
    if (key !== argsKey) {
      // Another patient or filter: never show the previous one's rows under the new heading.
      data.value = null;
    }
    const background = key === argsKey;
    args = next;
    argsKey = key;
    if (!background || state.value !== 'ready') {
      state.value = 'loading';
    }
    try {
      const found = await fetch(next);
      if (mine === request) {
        data.value = found;
        state.value = 'ready';
        error.value = null;
      }
    } catch (err) {
      if (mine === request) {
        error.value = errorMessage(err);
        state.value = 'error';
      }
    }
  }

  function refresh(): void {
    if (args !== null && state.value !== 'idle') {
      void load(args);
    }
  }

  /**
   * A screen shows this query: reload whenever the replica changes, until the returned function
   * is called. Several screens may follow one query at once (the staff directory).
   */
  function follow(): () => void {
    followers++;
    unsubscribe ??= subscribe('data.changed', ({ tables }) => {
      if (!options.tables || tables.some((table) => options.tables?.includes(table))) {
        refresh();
      }
    });
    let stopped = false;
    return () => {
      if (stopped) {
        return;
      }
      stopped = true;
      followers--;
      if (followers === 0) {
        unsubscribe?.();
        unsubscribe = null;
      }
    };
  }

  /** Loads once for screens that only need the data to be there (a list of physicians). */
  function ensure(next: A): void {
    if (state.value === 'idle' || state.value === 'error' || JSON.stringify(next) !== argsKey) {
      void load(next);
    }
  }

  /** Puts a row the main process just answered with in place, before the reload confirms it. */
  function update(change: (current: T) => T): void {
    if (data.value !== null) {
      data.value = change(data.value);
    }
  }

  /** Forgets what was read (signing out): the next person starts from an empty screen. */
  function reset(): void {
    request++;
    data.value = null;
    state.value = 'idle';
    error.value = null;
    args = null;
    argsKey = '';
  }

  function retry(): void {
    if (args !== null) {
      void load(args);
    }
  }

  return { data, state, error, load, ensure, follow, refresh, retry, update, reset };
}

export type Query<A, T> = ReturnType<typeof createQuery<A, T>>;
