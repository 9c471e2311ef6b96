import { defineStore } from 'pinia';
import { RECORD_KINDS } from '../../../shared/domain/record';
import type { RecordBundle, RecordKind } from '../../../shared/domain/record';
import type { RecordSaveArgs } from '../../../shared/ipc/contract';
import { call } from '../api';
import { createQuery } from './query';

/**
 * One patient's medical record. Every record.get is an audited look at the record, so it is read
 * when a page opens it and again only when a record table changed, never on unrelated syncs.
 */
export const useRecordStore = defineStore('record', () => {
  const record = createQuery((args: { patientId: string }) => call('record.get', args), { tables: RECORD_KINDS });

  async function keep(action: () => Promise<RecordBundle>): Promise<RecordBundle> {
    try {
      const bundle = await action();
      record.update(() => bundle);
      return bundle;
    } catch (error) {
      record.refresh();
      throw error;
    }
  }

  /** Physicians only: adds (entryId null) or changes one entry. */
  function save(args: RecordSaveArgs): Promise<RecordBundle> {
    return keep(() => call('record.save', args));
  }

  function remove(kind: RecordKind, entryId: string): Promise<RecordBundle> {
    return keep(() => call('record.delete', { kind, entryId }));
  }


  /** Signing out: nothing read for one person stays for the next. */
  function forget(): void {
    record.reset();
  }

  return { record, save, remove, forget };
});
