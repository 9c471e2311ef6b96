import { defineStore } from 'pinia';
import { computed } from 'vue';
import type { RecordBundle } from '../../../../shared/domain/record';
import { api } from '../api/client';
import { createResource } from './resource';

/** The patient's medical record, section by section, as the clinic keeps it. */
export const useRecordStore = defineStore('record', () => {
  const record = createResource(() => api.post<RecordBundle>('/api/record/view', {}));

  /** What a patient may ask to renew. */
  const activeMedications = computed(() => record.data.value?.medication.filter((m) => m.active) ?? []);

  return {
    record: record.data,
    recordState: record.state,
    recordError: record.error,
    loadRecord: record.load,
    activeMedications,
  };
});
