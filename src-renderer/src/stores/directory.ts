import { defineStore } from 'pinia';
import { computed } from 'vue';
import type { StaffDirectoryEntry } from '../../../shared/domain/staff';
import { call } from '../api';
import { createQuery } from './query';

/** The clinic's staff as synced to this console: who can see a patient, who a thread can go to. */
export const useDirectoryStore = defineStore('directory', () => {
  const entries = createQuery(() => call('staff.directory'));

  const all = computed<StaffDirectoryEntry[]>(() => entries.data.value ?? []);
  const physicians = computed(() => all.value.filter((entry) => entry.role === 'physician' && entry.active));
  const activeStaff = computed(() => all.value.filter((entry) => entry.active));

  function nameOf(staffId: string | null): string | null {
    return staffId ? (all.value.find((entry) => entry.id === staffId)?.displayName ?? null) : null;
  }

  /** Screens that offer a choice of staff call this; it reads the directory once and keeps it current. */
  function need(): () => void {
    entries.ensure(undefined);
    return entries.follow();
  }


  /** Signing out: nothing read for one person stays for the next. */
  function forget(): void {
    entries.reset();
  }

  return { entries, physicians, activeStaff, nameOf, need, forget };
});
