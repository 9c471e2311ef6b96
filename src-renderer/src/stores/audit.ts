import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { AuditEventView, AuditQuery } from '../../../shared/api/staffSecurity';
import { ConsoleError, call, errorMessage } from '../api';
import type { LoadState } from './patients';
import { createQuery } from './query';

export const AUDIT_PAGE_SIZE = 50;

/**
 * Admins: the audit log, page by page from the server, newest first. "Load more" asks for the
 * events before the last one shown. The patient filter offers the patients of this replica.
 */
export const useAuditStore = defineStore('audit', () => {
  const events = shallowRef<AuditEventView[]>([]);
  const state = ref<LoadState>('idle');
  const error = ref<string | null>(null);
  const hasMore = ref(false);
  const loadingMore = ref(false);
  const moreError = ref<string | null>(null);
  const patients = createQuery(() => call('patients.list', { query: '' }));
  let filters: AuditQuery = {};
  let request = 0;

  /** A new search; a refusal (a filter the server cannot take) is thrown for the form to show. */
  async function search(next: AuditQuery): Promise<void> {
    const mine = ++request;
    filters = next;
    events.value = [];
    hasMore.value = false;
    moreError.value = null;
    state.value = 'loading';
    try {
      const page = await call('audit.search', { filters: { ...next, limit: AUDIT_PAGE_SIZE } });
      if (mine === request) {
        events.value = page;
        hasMore.value = page.length === AUDIT_PAGE_SIZE;
        state.value = 'ready';
        error.value = null;
      }
    } catch (err) {
      if (mine === request) {
        // A filter the main process or server could not take is the form's to show, not the list's.
        const invalid = err instanceof ConsoleError && err.code === 'validation_failed';
        error.value = invalid ? null : errorMessage(err);
        state.value = invalid ? 'idle' : 'error';
      }
      throw err;
    }
  }

  async function loadMore(): Promise<void> {
    const last = events.value.at(-1);
    if (!last || loadingMore.value) {
      return;
    }
    const mine = request;
    loadingMore.value = true;
    moreError.value = null;
    try {
      const page = await call('audit.search', { filters: { ...filters, limit: AUDIT_PAGE_SIZE, before: last.id } });
      if (mine === request) {
        events.value = [...events.value, ...page];
        hasMore.value = page.length === AUDIT_PAGE_SIZE;
      }
    } catch (err) {
      if (mine === request) {
        moreError.value = errorMessage(err);
      }
    } finally {
      loadingMore.value = false;
    }
  }

  /** Signing out or locking: the events name patients, so they go. */
  function forget(): void {
    request++;
    events.value = [];
    state.value = 'idle';
    error.value = null;
    hasMore.value = false;
    moreError.value = null;
    filters = {};
    patients.reset();
  }

  return { events, state, error, hasMore, loadingMore, moreError, patients, search, loadMore, forget };
});
