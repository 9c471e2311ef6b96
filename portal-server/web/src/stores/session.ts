import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { PatientSessionView, PatientSignInRequest } from '../../../../shared/api/types';
import type { PatientLanguage } from '../../../../shared/domain/language';
import { ApiError, api, setCsrfToken } from '../api/client';
import { setLanguage as showLanguage } from '../i18n';
import { useDraftsStore } from './drafts';
import { forgetPatientData } from './resource';

/** The signed-in patient, as the server's cookie session describes it. */
export const useSessionStore = defineStore('session', () => {
  const view = ref<PatientSessionView | null>(null);
  /** Whether GET /api/session has answered since the page loaded. */
  const checked = ref(false);
  /** Handed from one page to the next in memory only (never the address bar). */
  const prefillUsername = ref('');
  const signedOutNotice = ref(false);
  /** Set when the server ended the session (timeout): Sign In explains why the patient is there. */
  const expiredNotice = ref(false);
  /** Where to go after signing in: the page the patient asked for, in memory only. */
  const returnTo = ref<string | null>(null);
  /** Set when this page signed the patient out for inactivity: Sign In says after how long. */
  const idleSignOutSeconds = ref<number | null>(null);
  /** Set after "Sign out everywhere": Sign In confirms it. */
  const everywhereNotice = ref(false);

  const signedIn = computed(() => view.value !== null);

  function adopt(next: PatientSessionView | null): void {
    view.value = next;
    forgetPatientData();
    setCsrfToken(next?.csrfToken ?? null);
    checked.value = true;
    // The patient's own choice (saved on Account or with the switch) wins over this browser's.
    if (next?.language) {
      showLanguage(next.language);
    }
  }

  /** The switch saved a new choice on the server. */
  function setLanguage(language: PatientLanguage): void {
    if (view.value) {
      view.value = { ...view.value, language };
    }
  }

  /** Asks the server once per page load whether the cookie still names a session. */
  async function ensureChecked(): Promise<void> {
    if (checked.value) {
      return;
    }
    try {
      adopt(await api.get<PatientSessionView>('/api/session'));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_signed_in') {
        adopt(null);
        return;
      }
      // Unreachable: treat as signed out for this navigation, but ask again on the next one.
      view.value = null;
      throw err;
    }
  }

  async function signIn(request: PatientSignInRequest): Promise<void> {
    adopt(await api.post<PatientSessionView>('/api/session', request));
    useDraftsStore().claimFor(request.username);
    signedOutNotice.value = false;
    expiredNotice.value = false;
    idleSignOutSeconds.value = null;
    everywhereNotice.value = false;
    prefillUsername.value = '';
  }

  /** "Stay signed in": asking the server for the session counts as activity there. */
  async function stayActive(): Promise<void> {
    const next = await api.get<PatientSessionView>('/api/session');
    // Same session, same patient: keep what the pages have loaded.
    view.value = next;
    setCsrfToken(next.csrfToken);
  }

  /**
   * The idle limit ran out: end the session on the server too (it may have ended it already) and
   * forget everything here, remembering where the patient was.
   */
  async function signOutForInactivity(idleSeconds: number, path: string): Promise<void> {
    try {
      await api.delete('/api/session');
    } catch {
      // Gone already, or the server is unreachable: this page forgets the patient either way.
    }
    adopt(null);
    idleSignOutSeconds.value = idleSeconds;
    returnTo.value = path;
  }

  async function signOutEverywhere(): Promise<void> {
    await api.post<void>('/api/session/sign-out-everywhere', {});
    adopt(null);
    useDraftsStore().forgetAll();
    everywhereNotice.value = true;
    returnTo.value = null;
  }

  /** The server no longer knows this session: forget it here too and remember where the patient was. */
  function expire(path: string): void {
    adopt(null);
    expiredNotice.value = true;
    returnTo.value = path;
  }

  function takeReturnTo(): string | null {
    const path = returnTo.value;
    returnTo.value = null;
    return path;
  }

  async function signOut(): Promise<void> {
    try {
      await api.delete('/api/session');
    } catch (err) {
      // Already gone on the server (expired): the patient is signed out either way.
      if (!(err instanceof ApiError && err.code === 'not_signed_in')) {
        throw err;
      }
    }
    adopt(null);
    useDraftsStore().forgetAll();
    signedOutNotice.value = true;
    returnTo.value = null;
  }

  return {
    view,
    setLanguage,
    checked,
    prefillUsername,
    signedOutNotice,
    expiredNotice,
    returnTo,
    idleSignOutSeconds,
    everywhereNotice,
    signedIn,
    ensureChecked,
    signIn,
    stayActive,
    signOutForInactivity,
    signOutEverywhere,
    signOut,
    expire,
    takeReturnTo,
  };
});
