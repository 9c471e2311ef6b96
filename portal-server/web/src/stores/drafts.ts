import { defineStore } from 'pinia';
import { ref } from 'vue';

/**
 * What a patient typed and has not sent yet (a new message, a reply), so being signed out for
 * inactivity does not lose it: after signing in again in the same tab, the form shows it again.
 *
 * Memory only, never localStorage or sessionStorage: a message may hold health information, and a
 * shared computer keeps web storage after the tab is gone. Kept for the patient who typed it only:
 * a different patient signing in on this tab starts empty, and an explicit sign-out forgets it.
 */
export const useDraftsStore = defineStore('drafts', () => {
  const owner = ref<string | null>(null);
  const drafts = ref(new Map<string, Record<string, unknown>>());

  function get<T>(key: string): T | undefined {
    return drafts.value.get(key) as T | undefined;
  }
  function set(key: string, values: Record<string, unknown>): void {
    const empty = Object.values(values).every((v) => v === '' || v === null || v === undefined);
    if (empty) {
      drafts.value.delete(key);
    } else {
      drafts.value.set(key, { ...values });
    }
  }
  function clear(key: string): void {
    drafts.value.delete(key);
  }
  function forgetAll(): void {
    drafts.value = new Map();
    owner.value = null;
  }
  /** At sign-in: drafts belong to the username that typed them; anyone else starts empty. */
  function claimFor(username: string): void {
    const who = username.trim().toLowerCase();
    if (owner.value !== who) {
      drafts.value = new Map();
    }
    owner.value = who;
  }

  return { get, set, clear, forgetAll, claimFor };
});
