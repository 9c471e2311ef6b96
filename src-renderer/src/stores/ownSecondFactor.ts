import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { SecondFactorStatus } from '../../../shared/api/types';
import type { SignInEnrolment } from '../../../shared/ipc/contract';
import { call } from '../api';

/** The signed-in person's own second factor (issue 13), read from the server (online only). */
export const useOwnSecondFactorStore = defineStore('ownSecondFactor', () => {
  const status = ref<SecondFactorStatus | null>(null);
  const enrolment = ref<SignInEnrolment | null>(null);

  async function load(): Promise<void> {
    status.value = await call('account.secondFactor');
  }

  async function start(): Promise<void> {
    enrolment.value = await call('account.startSecondFactor');
  }

  /** Confirms with the first code; the recovery codes go to the app store's once-only dialog. */
  async function confirm(code: string): Promise<string[]> {
    const { recoveryCodes } = await call('account.confirmSecondFactor', { code });
    enrolment.value = null;
    await load();
    return recoveryCodes;
  }

  /** New recovery codes after a current code; they go to the same once-only dialog. */
  async function renewRecoveryCodes(code: string): Promise<string[]> {
    const { recoveryCodes } = await call('account.renewRecoveryCodes', { code });
    await load();
    return recoveryCodes;
  }

  function forget(): void {
    status.value = null;
    enrolment.value = null;
  }

  return { status, enrolment, load, start, confirm, renewRecoveryCodes, forget };
});
