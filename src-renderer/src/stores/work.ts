import { defineStore } from 'pinia';
import { call } from '../api';
import { createQuery } from './query';

/** What waits for the clinic, for the navigation's badges: requests, renewals, unread threads. */
export const useWorkStore = defineStore('work', () => {
  const counts = createQuery(() => call('work.counts'));
  return { counts };
});
