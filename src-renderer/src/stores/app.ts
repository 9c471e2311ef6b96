import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { mayReplyToPatients as mayReply } from '../../../shared/domain/clinic';
import type { AppStatus, IpcContract, SignInEnrolment } from '../../../shared/ipc/contract';
import type { ClinicSettingsForm } from '../../../shared/validation/clinic';
import type { ClinicSetupForm } from '../../../shared/validation/staff';
import { todayInZone } from '../../../shared/time/dateOnly';
import { ConsoleError, call, errorMessage, subscribe, whenSignedOut } from '../api';

/** Which screen the console shows (setup, sign-in, ready, locked) and who is signed in. */
export const useAppStore = defineStore('app', () => {
  const status = ref<AppStatus | null>(null);
  const loadError = ref<string | null>(null);
  const loading = ref(false);
  /** Set when setup finished without signing in: the username to sign in with. */
  const newAdminUsername = ref<string | null>(null);
  /** Recovery codes of a second factor just set up: shown once, then forgotten. */
  const recoveryCodes = ref<string[] | null>(null);

  const mode = computed(() => status.value?.mode ?? null);
  const clinic = computed(() => status.value?.clinic ?? null);
  const staff = computed(() => status.value?.staff ?? null);
  const isAdmin = computed(() => staff.value?.role === 'admin');
  /** Only physicians decide renewals and keep the medical record; the main process checks it too. */
  const isPhysician = computed(() => staff.value?.role === 'physician');
  /** The front desk and admins look after patients' portal accounts. */
  const isFrontDesk = computed(() => staff.value?.role === 'receptionist' || staff.value?.role === 'admin');
  /** Who may write to patients is the clinic's setting; the main process and the server check it too. */
  const mayReplyToPatients = computed(() => (clinic.value && staff.value ? mayReply(clinic.value, staff.value.role) : false));
  /** Signed in but locked: only the unlock form shows, no patient data. */
  const locked = computed(() => status.value?.mode === 'ready' && status.value.locked);
  const idleLockSeconds = computed(() => status.value?.idleLockSeconds ?? 600);
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

  /** First run: the first admin's authenticator secret and QR code (made by the hosted server). */
  function setupEnrolment(name: string, adminUsername: string): Promise<SignInEnrolment> {
    return call('setup.enrolment', { name, adminUsername });
  }

  async function createClinic(form: ClinicSetupForm & { code?: string }): Promise<void> {
    adoptStatus(await call('setup.createClinic', form));
    newAdminUsername.value = status.value?.mode === 'sign-in' ? form.adminUsername : null;
  }

  /** Admins only, online only; the header and clinic times follow the saved settings at once. */
  async function updateClinic(form: ClinicSettingsForm): Promise<void> {
    status.value = await call('clinic.update', form);
  }

  /** Keeps the recovery codes of a newly set-up second factor out of the status every screen reads. */
  function adoptStatus(next: AppStatus): void {
    const { recoveryCodes: codes, ...rest } = next;
    if (codes?.length) {
      recoveryCodes.value = codes;
    }
    status.value = rest;
  }

  async function signIn(username: string, password: string, factor: { code?: string; trustComputer?: boolean } = {}): Promise<void> {
    adoptStatus(await call('auth.signIn', { username, password, ...factor }));
    newAdminUsername.value = null;
  }

  /**
   * Joins the clinic's server (issue 16): the main process checks it, signs in there, saves it and
   * switches to it; the console is then signed in on the new server.
   */
  async function joinServer(request: IpcContract['server.connect']['args']): Promise<void> {
    try {
      adoptStatus(await call('server.connect', request));
    } catch (error) {
      // A second factor set up on the new server before the join failed: its codes, shown once.
      if (error instanceof ConsoleError && error.body.recoveryCodes?.length) {
        recoveryCodes.value = error.body.recoveryCodes;
      }
      throw error;
    }
    newAdminUsername.value = null;
  }

  /** Joining, when the new server's clinic requires a second factor not set up yet: its secret and QR code. */
  function joinEnrolment(request: IpcContract['server.enrolmentAtSignIn']['args']): Promise<SignInEnrolment> {
    return call('server.enrolmentAtSignIn', request);
  }

  /** The clinic requires a second factor this person has not set up: the secret and QR code to set it up with. */
  function enrolmentAtSignIn(username: string, password: string): Promise<SignInEnrolment> {
    return call('auth.enrolmentAtSignIn', { username, password });
  }

  function forgetRecoveryCodes(): void {
    recoveryCodes.value = null;
  }

  async function signOut(): Promise<void> {
    status.value = await call('auth.signOut');
  }

  /** Hides every patient screen at once; the main process refuses patient data until unlocked. */
  async function lock(): Promise<void> {
    if (status.value) {
      // The screen goes away now, not after the main process answers.
      status.value = { ...status.value, locked: true };
    }
    try {
      status.value = await call('auth.lock');
    } catch {
      await load();
    }
  }

  /** Whether the person who unlocked is someone else than before (their screens start afresh). */
  async function unlock(username: string, password: string, factor: { code?: string; trustComputer?: boolean } = {}): Promise<{ switched: boolean }> {
    const before = staff.value?.id ?? null;
    adoptStatus(await call('auth.unlock', { username, password, ...factor }));
    return { switched: staff.value?.id !== before };
  }

  async function setIdleLock(minutes: number): Promise<void> {
    status.value = await call('console.setIdleLock', { minutes });
  }

  whenSignedOut(() => {
    void load();
  });
  // Locked elsewhere (the computer's own lock), or signed out by the server (a revoked console).
  subscribe('app.status', (next) => {
    status.value = next;
  });

  return {
    status,
    loadError,
    loading,
    newAdminUsername,
    mode,
    clinic,
    staff,
    isAdmin,
    isPhysician,
    isFrontDesk,
    mayReplyToPatients,
    locked,
    idleLockSeconds,
    timeZone,
    today,
    load,
    createClinic,
    setupEnrolment,
    updateClinic,
    signIn,
    enrolmentAtSignIn,
    joinServer,
    joinEnrolment,
    recoveryCodes,
    forgetRecoveryCodes,
    signOut,
    lock,
    unlock,
    setIdleLock,
  };
});
