import type { LabFlag, RecordEntry, RecordKind } from '../../../../../shared/domain/record';
import { LAB_FLAGS, LAB_FLAG_LABELS, RECORD_KIND_LABELS } from '../../../../../shared/domain/record';
import { formatUsDate } from '../../../../../shared/time/dateOnly';
import type { Column } from '../table';
import { i18n, tx } from '../../i18n';

const { t } = i18n.global;

/** Calendar dates stay strings from YYYY-MM-DD to mm/dd/yyyy: no Date, no time zone. */
const usDate = (date: string | null): string => (date ? formatUsDate(date) : t('record.notRecorded'));
const orNone = (text: string): string => (text.trim() === '' ? t('record.none') : text);

type RecordColumns = { [K in RecordKind]: Column<RecordEntry<K>>[] };

/** Each section's columns; the first column names the row. */
export const RECORD_COLUMNS: RecordColumns = {
  problem: [
    { key: 'name', label: 'record.col.problem', text: (r) => r.name },
    { key: 'status', label: 'record.col.status', text: (r) => (r.status === 'active' ? t('record.active') : t('record.resolved')) },
    { key: 'onset', label: 'record.col.since', text: (r) => usDate(r.onsetDate) },
    { key: 'note', label: 'record.col.note', text: (r) => orNone(r.note) },
  ],
  medication: [
    { key: 'name', label: 'record.col.medication', text: (r) => r.name },
    { key: 'dose', label: 'record.col.dose', text: (r) => r.dose },
    { key: 'instructions', label: 'record.col.instructions', text: (r) => orNone(r.instructions) },
    { key: 'prescriber', label: 'record.col.prescriber', text: (r) => r.prescriberName },
    { key: 'refills', label: 'record.col.refills', text: (r) => String(r.refillsLeft) },
    { key: 'status', label: 'record.col.status', text: (r) => (r.active ? t('record.active') : t('record.stopped')) },
  ],
  allergy: [
    { key: 'substance', label: 'record.col.allergy', text: (r) => r.substance },
    { key: 'reaction', label: 'record.col.reaction', text: (r) => orNone(r.reaction) },
    { key: 'severity', label: 'record.col.severity', text: (r) => t(`record.severity.${r.severity}`) },
  ],
  immunization: [
    { key: 'vaccine', label: 'record.col.vaccine', text: (r) => r.vaccine },
    { key: 'date', label: 'record.col.dateGiven', text: (r) => usDate(r.date) },
    { key: 'note', label: 'record.col.note', text: (r) => orNone(r.note) },
  ],
  labResult: [
    { key: 'test', label: 'record.col.test', text: (r) => r.test },
    { key: 'date', label: 'record.col.date', text: (r) => usDate(r.date) },
    { key: 'value', label: 'record.col.result', text: (r) => `${r.value} ${r.unit}`.trim() },
    { key: 'range', label: 'record.col.range', text: (r) => orNone(r.referenceRange) },
    { key: 'flag', label: 'record.col.flag', text: (r) => tx(LAB_FLAG_LABELS[r.flag]) },
  ],
  visitSummary: [
    { key: 'date', label: 'record.col.visitDate', text: (r) => usDate(r.date) },
    { key: 'physician', label: 'record.col.physician', text: (r) => r.physicianName },
    { key: 'reason', label: 'record.col.reason', text: (r) => r.reason },
    { key: 'summary', label: 'record.col.summary', text: (r) => r.summary, prose: true },
  ],
};

/** "No allergies on file." */
export function emptySectionText(kind: RecordKind): string {
  return t('record.empty', { section: tx(RECORD_KIND_LABELS[kind]).toLowerCase() });
}

/** A lab result's flag, for the cell that says it in words (and adds a mark). */
export function labFlagOf(row: object): LabFlag | null {
  const flag = 'flag' in row ? row.flag : null;
  return (LAB_FLAGS as readonly unknown[]).includes(flag) ? (flag as LabFlag) : null;
}
