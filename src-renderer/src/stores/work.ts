import { defineStore } from 'pinia';
import { call } from '../api';
import { createQuery } from './query';

/** What waits for the clinic, for the navigation's badges: requests, renewals, unread threads. */
export const useWorkStore = defineStore('work', () => {
  const counts = createQuery(() => call('work.counts'));
  /** The desk's "Invitations needing attention" worklist. */
  const invitations = createQuery(() => call('invitations.needingAttention'));

  /** Signing out: nothing read for one person stays for the next. */
  function forget(): void {
    counts.reset();
    invitations.reset();
  }

  return { counts, invitations, forget };
});
