import { defineStore } from 'pinia';
import type { RenewalView } from '../../../../shared/domain/renewal';
import type { RenewalRequestForm } from '../../../../shared/validation/requests';
import { api } from '../api/client';
import { createResource } from './resource';

export const useRenewalsStore = defineStore('renewals', () => {
  const renewals = createResource(() => api.get<RenewalView[]>('/api/renewals'));

  async function requestRenewal(form: RenewalRequestForm): Promise<RenewalView> {
    const created = await api.post<RenewalView>('/api/renewals', form);
    renewals.set([created, ...(renewals.data.value ?? []).filter((r) => r.id !== created.id)]);
    return created;
  }

  return {
    renewals: renewals.data,
    renewalsState: renewals.state,
    renewalsError: renewals.error,
    loadRenewals: renewals.load,
    requestRenewal,
  };
});
