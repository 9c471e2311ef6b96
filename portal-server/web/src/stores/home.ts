import { defineStore } from 'pinia';
import type { HomeSummary } from '../../../../shared/api/patient';
import { api } from '../api/client';
import { createResource } from './resource';

/** What is new for the patient: the home page's summary and the unread count in the navigation. */
export const useHomeStore = defineStore('home', () => {
  const summary = createResource(() => api.get<HomeSummary>('/api/home'));

  return {
    summary: summary.data,
    summaryState: summary.state,
    summaryError: summary.error,
    summaryAskedAt: summary.askedAt,
    loadSummary: summary.load,
  };
});
