import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ClinicPublicInfo } from '../../../../shared/api/types';
import { ApiError, api } from '../api/client';
import { i18n } from '../i18n';
import { telHref } from '../phone';

export type ClinicLoadState = 'idle' | 'loading' | 'ready' | 'not_set_up' | 'unreachable';

/** What the portal knows about its clinic before anyone signs in (name, phone, password policy). */
export const useClinicStore = defineStore('clinic', () => {
  const info = ref<ClinicPublicInfo | null>(null);
  const state = ref<ClinicLoadState>('idle');

  const name = computed(() => info.value?.name ?? i18n.global.t('app.portal'));
  const phoneHref = computed(() => (info.value ? telHref(info.value.phone) : ''));

  async function load(): Promise<void> {
    state.value = 'loading';
    try {
      info.value = await api.get<ClinicPublicInfo>('/api/clinic');
      state.value = 'ready';
    } catch (err) {
      state.value = err instanceof ApiError && err.code === 'not_set_up' ? 'not_set_up' : 'unreachable';
    }
  }

  return { info, state, name, phoneHref, load };
});
