import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { StaffUserView } from '../../../shared/domain/staff';
import type { StaffUserForm } from '../../../shared/validation/staff';
import { ConsoleError, call } from '../api';
import type { LoadState } from './patients';

/** Staff changes go straight to the clinic server, so they fail rather than queue when offline. */
export function staffErrorMessage(error: unknown): string {
  if (error instanceof ConsoleError) {
    return error.code === 'offline' ? 'The clinic server is not reachable. Staff changes need a connection.' : error.message;
  }
  return 'Something went wrong. Try again.';
}

export const useStaffStore = defineStore('staff', () => {
  const members = ref<StaffUserView[]>([]);
  const state = ref<LoadState>('idle');
  const error = ref<string | null>(null);
  let request = 0;

  async function load(): Promise<void> {
    const mine = ++request;
    if (state.value !== 'ready') {
      state.value = 'loading';
    }
    try {
      const found = await call('staff.list');
      if (mine === request) {
        members.value = found;
        state.value = 'ready';
        error.value = null;
      }
    } catch (err) {
      if (mine === request) {
        error.value = staffErrorMessage(err);
        state.value = 'error';
      }
    }
  }

  function remember(member: StaffUserView): StaffUserView {
    const index = members.value.findIndex((existing) => existing.id === member.id);
    if (index >= 0) {
      members.value.splice(index, 1, member);
    } else {
      members.value.push(member);
    }
    return member;
  }

  async function create(form: StaffUserForm): Promise<StaffUserView> {
    return remember(await call('staff.create', form));
  }

  async function setActive(staffUserId: string, active: boolean): Promise<StaffUserView> {
    return remember(await call('staff.setActive', { staffUserId, active }));
  }

  async function resetPassword(staffUserId: string, password: string): Promise<StaffUserView> {
    return remember(await call('staff.resetPassword', { staffUserId, password }));
  }

  /** Lost phone: the server removes the person's second factor and audits it (not one's own). */
  async function resetSecondFactor(staffUserId: string): Promise<void> {
    await call('staff.resetSecondFactor', { staffUserId });
  }

  return { members, state, error, load, create, setActive, resetPassword, resetSecondFactor };
});
