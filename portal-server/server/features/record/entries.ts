import type { EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import { RECORD_KINDS } from '../../../../shared/domain/record';
import type { RecordBundle, RecordEntry, RecordKind } from '../../../../shared/domain/record';
import { RecordEntryEntity } from '../../../../shared/node/entities/clinical';
import type { RecordEntryRow } from '../../../../shared/node/entities/clinical';
import { recordEntry } from '../sync/rows';

/** A live record entry of one patient and kind, or null. */
export async function findEntry<K extends RecordKind>(m: EntityManager, clinicId: string, patientId: string, kind: K, id: string): Promise<(RecordEntryRow & { kind: K }) | null> {
  const row = await m.findOneBy(RecordEntryEntity, { id, clinicId, patientId, kind });
  return row && !row.deletedAt ? (row as RecordEntryRow & { kind: K }) : null;
}

const byText = (key: string) => (a: object, b: object) => String((a as Record<string, unknown>)[key]).localeCompare(String((b as Record<string, unknown>)[key]));
const newestFirst = (key: string) => (a: object, b: object) => -byText(key)(a, b);
const activeFirst = (key: 'status' | 'active') => (a: object, b: object) => {
  const rank = (e: object): number => ((e as Record<string, unknown>)[key] === 'active' || (e as Record<string, unknown>)[key] === true ? 0 : 1);
  return rank(a) - rank(b);
};
const then = (...cmp: ((a: object, b: object) => number)[]) => (a: object, b: object) => cmp.reduce((r, f) => r || f(a, b), 0);

/** How each section reads best: current things first, newest results first. */
const ORDER: Record<RecordKind, (a: object, b: object) => number> = {
  problem: then(activeFirst('status'), byText('name')),
  medication: then(activeFirst('active'), byText('name')),
  allergy: byText('substance'),
  immunization: newestFirst('date'),
  labResult: then(newestFirst('date'), byText('test')),
  visitSummary: newestFirst('date'),
};

/** One patient's whole record, section by section. */
export async function recordBundle(m: EntityManager, clinicId: string, patientId: string): Promise<RecordBundle> {
  const rows = await m.find(RecordEntryEntity, { where: { clinicId, patientId, deletedAt: IsNull() } });
  const bundle = Object.fromEntries(RECORD_KINDS.map((k) => [k, [] as RecordEntry[]])) as unknown as Record<RecordKind, RecordEntry[]>;
  for (const row of rows) {
    if ((RECORD_KINDS as readonly string[]).includes(row.kind)) {
      bundle[row.kind].push(recordEntry(row));
    }
  }
  for (const kind of RECORD_KINDS) {
    bundle[kind].sort(ORDER[kind]);
  }
  return bundle as unknown as RecordBundle;
}
