import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { AppStatus } from '../../../shared/ipc/contract';
import type { ClinicSetupForm } from '../../../shared/validation/staff';
import { todayInZone } from '../../../shared/time/dateOnly';
import { call, errorMessage, whenSignedOut } from '../api';

/** Which screen the console shows (setup, sign-in, ready) and who is signed in. */
export const useAppStore = defineStore('app', () => {
  const status = ref<AppStatus | null>(null);
  const loadError = ref<string | null>(null);
  const loading = ref(false);
  /** Set when setup finished without signing in: the username to sign in with. */
  const newAdminUsername = ref<string | null>(null);

  const mode = computed(() => status.value?.mode ?? null);
  const clinic = computed(() => status.value?.clinic ?? null);
  const staff = computed(() => status.value?.staff ?? null);
  const isAdmin = computed(() => staff.value?.role === 'admin');
  /** Only physicians decide renewals and keep the medical record; the main process checks it too. */
  const isPhysician = computed(() => staff.value?.role === 'physician');
  /** Instants are shown in the clinic's zone; before setup, in this computer's. */
  const timeZone = computed(() => clinic.value?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);

  /** The clinic's calendar date: the limit for a date of birth. */
  function today(): string {
    return todayInZone(timeZone.value);
  }

  async function load(): Promise<void> {
    loading.value = true;
    loadError.value = null;
    try {
      status.value = await call('app.status');
    } catch (error) {
      loadError.value = errorMessage(error);
    } finally {
      loading.value = false;
    }
  }

  async function createClinic(form: ClinicSetupForm): Promise<void> {
    status.value = await call('setup.createClinic', form);
    newAdminUsername.value = status.value.mode === 'sign-in' ? form.adminUsername : null;
  }

  async function signIn(username: string, password: string): Promise<void> {
    status.value = await call('auth.signIn', { username, password });
    newAdminUsername.value = null;
  }

  async function signOut(): Promise<void> {
    status.value = await call('auth.signOut');
  }

  whenSignedOut(() => {
    void load();
  });

  return { status, loadError, loading, newAdminUsername, mode, clinic, staff, isAdmin, isPhysician, timeZone, today, load, createClinic, signIn, signOut };
});
