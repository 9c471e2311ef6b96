import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DuplicateMatch, IpcContract, PatientListItem } from '../../../shared/ipc/contract';
import type { StaffPasswordResetResponse } from '../../../shared/api/staffSecurity';
import type { PreRegistrationForm } from '../../../shared/validation/patient';
import { call, errorMessage, subscribe } from '../api';

export type LoadState = 'idle' | 'loading' | 'ready' | 'error';
type DuplicateQuery = IpcContract['patients.findDuplicates']['args'];

/**
 * Patients and their invitations from the local replica. The main process writes locally first
 * and answers at once, so a save simply takes the row it returns; a failed action reloads the
 * row from the main process, which drops anything the screen assumed.
 */
export const usePatientsStore = defineStore('patients', () => {
  const items = ref<PatientListItem[]>([]);
  const query = ref('');
  const listState = ref<LoadState>('idle');
  const listError = ref<string | null>(null);

  const current = ref<PatientListItem | null>(null);
  const currentId = ref<string | null>(null);
  const currentState = ref<LoadState>('idle');
  const currentError = ref<string | null>(null);

  // Only the newest request may write its answer: typing fast must not show an older search.
  let listRequest = 0;
  let currentRequest = 0;
  let unsubscribe: (() => void) | null = null;

  async function loadList(nextQuery: string = query.value, options: { background?: boolean } = {}): Promise<void> {
    const request = ++listRequest;
    query.value = nextQuery;
    if (!options.background || listState.value !== 'ready') {
      listState.value = 'loading';
    }
    try {
      const found = await call('patients.list', { query: nextQuery.trim() });
      if (request === listRequest) {
        items.value = found;
        listState.value = 'ready';
        listError.value = null;
      }
    } catch (error) {
      if (request === listRequest) {
        listError.value = errorMessage(error);
        listState.value = 'error';
      }
    }
  }

  async function loadPatient(patientId: string, options: { background?: boolean } = {}): Promise<void> {
    const request = ++currentRequest;
    if (currentId.value !== patientId) {
      current.value = null;
    }
    currentId.value = patientId;
    if (!options.background || currentState.value !== 'ready') {
      currentState.value = 'loading';
    }
    try {
      const found = await call('patients.get', { patientId });
      if (request === currentRequest) {
        current.value = found;
        currentState.value = 'ready';
        currentError.value = null;
      }
    } catch (error) {
      if (request === currentRequest) {
        currentError.value = errorMessage(error);
        currentState.value = 'error';
      }
    }
  }

  function remember(item: PatientListItem): PatientListItem {
    const index = items.value.findIndex((existing) => existing.patient.id === item.patient.id);
    if (index >= 0) {
      items.value.splice(index, 1, item);
    }
    if (currentId.value === item.patient.id) {
      current.value = item;
      currentState.value = 'ready';
    }
    return item;
  }

  /** Runs an action on one patient; on failure reloads that patient so the screen shows the truth. */
  async function act(patientId: string, action: () => Promise<PatientListItem>): Promise<PatientListItem> {
    try {
      return remember(await action());
    } catch (error) {
      if (currentId.value === patientId) {
        void loadPatient(patientId, { background: true });
      }
      throw error;
    }
  }

  async function preRegister(form: PreRegistrationForm, sendInvitation: boolean): Promise<PatientListItem> {
    return remember(await call('patients.preRegister', { form, sendInvitation }));
  }

  function updatePatient(patientId: string, form: PreRegistrationForm): Promise<PatientListItem> {
    return act(patientId, () => call('patients.update', { patientId, form }));
  }

  function sendInvitation(patientId: string): Promise<PatientListItem> {
    return act(patientId, () => call('invitations.send', { patientId }));
  }

  function revokeInvitation(patientId: string): Promise<PatientListItem> {
    return act(patientId, () => call('invitations.revoke', { patientId }));
  }

  /** Online only: a new Registration ID in a letter the console saves and opens; answers the file's path. */
  function printInvitationLetter(patientId: string): Promise<{ file: string }> {
    return call('invitations.printLetter', { patientId });
  }

  /** Online only: lifts the patient's portal sign-in lockout. */
  function unlockPortalAccount(patientId: string): Promise<void> {
    return call('patients.unlockPortalAccount', { patientId });
  }

  /** Online only: emails the patient a one-time link to choose a new password. */
  function resetSecondFactor(patientId: string): Promise<void> {
    return call('patients.resetSecondFactor', { patientId });
  }

  function sendPasswordReset(patientId: string): Promise<StaffPasswordResetResponse> {
    return call('patients.sendPasswordReset', { patientId });
  }

  function findDuplicates(args: DuplicateQuery): Promise<DuplicateMatch[]> {
    return call('patients.findDuplicates', args);
  }

  /** Reload what is on screen whenever the replica changes (a pull applied, a local write). */
  function connect(): void {
    if (unsubscribe) {
      return;
    }
    unsubscribe = subscribe('data.changed', () => {
      if (listState.value !== 'idle') {
        void loadList(query.value, { background: true });
      }
      if (currentId.value) {
        void loadPatient(currentId.value, { background: true });
      }
    });
  }

  function disconnect(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  function forgetCurrent(): void {
    currentRequest++;
    currentId.value = null;
    current.value = null;
    currentState.value = 'idle';
  }

  /** Signing out or locking: the list, the search and the open patient all go. */
  function forget(): void {
    disconnect();
    forgetCurrent();
    listRequest++;
    items.value = [];
    query.value = '';
    listState.value = 'idle';
    listError.value = null;
  }

  return {
    items,
    query,
    listState,
    listError,
    current,
    currentState,
    currentError,
    loadList,
    loadPatient,
    forgetCurrent,
    forget,
    preRegister,
    updatePatient,
    sendInvitation,
    revokeInvitation, printInvitationLetter,
    unlockPortalAccount,
    sendPasswordReset,
    resetSecondFactor,
    findDuplicates,
    connect,
    disconnect,
  };
});
