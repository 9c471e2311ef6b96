import { defineStore } from 'pinia';
import type { RecordAccessEntry } from '../../../../shared/api/account';
import type { ChangePasswordForm } from '../../../../shared/validation/account';
import { api } from '../api/client';
import { createResource } from './resource';

/** The signed-in patient's account: password, and who at the clinic opened their record. */
export const useAccountStore = defineStore('account', () => {
  const access = createResource(() => api.get<RecordAccessEntry[]>('/api/account/record-access'));

  async function changePassword(form: ChangePasswordForm): Promise<void> {
    await api.post<void>('/api/account/password', form);
  }

  return {
    recordAccess: access.data,
    recordAccessState: access.state,
    recordAccessError: access.error,
    loadRecordAccess: access.load,
    changePassword,
  };
});
