import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { SyncStatus } from '../../../shared/ipc/contract';
import { call, errorMessage, subscribe } from '../api';

/** The sync engine's state as the main process reports it: pushed by events, read on start. */
export const useSyncStore = defineStore('sync', () => {
  const status = ref<SyncStatus | null>(null);
  const error = ref<string | null>(null);
  const requesting = ref(false);
  let unsubscribe: (() => void) | null = null;

  function connect(): void {
    if (unsubscribe) {
      return;
    }
    unsubscribe = subscribe('sync.status', (next) => {
      status.value = next;
    });
    void refresh();
  }

  function disconnect(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  async function refresh(): Promise<void> {
    try {
      status.value = await call('sync.status');
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  async function syncNow(): Promise<void> {
    requesting.value = true;
    error.value = null;
    try {
      status.value = await call('sync.now');
    } catch (err) {
      error.value = errorMessage(err);
    } finally {
      requesting.value = false;
    }
  }

  /** The staff member has dealt with a refused or conflicting change: stop listing it. */
  async function dismiss(seq: number): Promise<void> {
    error.value = null;
    try {
      status.value = await call('sync.dismissRejected', { seq });
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  /** Sends a held change again as the signed-in person ("entered for" its author), or discards it (admins). */
  async function actOnHeld(action: 'resend' | 'discard', seq: number): Promise<void> {
    error.value = null;
    try {
      status.value = await call(action === 'resend' ? 'sync.resendHeld' : 'sync.discardHeld', { seq });
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  /** A refused change names its patient: signing out or locking clears the list. */
  function forget(): void {
    disconnect();
    status.value = null;
    error.value = null;
  }

  return { status, error, requesting, connect, disconnect, refresh, syncNow, dismiss, actOnHeld, forget };
});
