import { defineStore } from 'pinia';
import type { RenewalListItem } from '../../../shared/ipc/contract';
import type { RenewalDecisionForm } from '../../../shared/validation/requests';
import { call } from '../api';
import { createQuery } from './query';

export type RenewalFilter = 'requested' | 'all';

/** Prescription renewal requests; only physicians decide them (the main process checks the role). */
export const useRenewalsStore = defineStore('renewals', () => {
  const queue = createQuery((args: { status: RenewalFilter }) => call('renewals.queue', args));

  async function decide(renewalId: string, decision: RenewalDecisionForm): Promise<RenewalListItem> {
    try {
      const item = await call('renewals.decide', { ...decision, renewalId });
      queue.update((rows) => rows.map((row) => (row.row.id === item.row.id ? item : row)));
      return item;
    } catch (error) {
      queue.refresh();
      throw error;
    }
  }


  /** Signing out: nothing read for one person stays for the next. */
  function forget(): void {
    queue.reset();
  }

  return { queue, decide, forget };
});
