import type { LabFlag, RecordEntry, RecordKind } from '../../../../../shared/domain/record';
import { LAB_FLAGS, LAB_FLAG_LABELS, RECORD_KIND_LABELS } from '../../../../../shared/domain/record';
import { formatUsDate } from '../../../../../shared/time/dateOnly';
import type { Column } from '../table';

/** Calendar dates stay strings from YYYY-MM-DD to mm/dd/yyyy: no Date, no time zone. */
const usDate = (date: string | null): string => (date ? formatUsDate(date) : 'Not recorded');
const orNone = (text: string): string => (text.trim() === '' ? 'None' : text);
const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

type RecordColumns = { [K in RecordKind]: Column<RecordEntry<K>>[] };

/** Each section's columns; the first column names the row. */
export const RECORD_COLUMNS: RecordColumns = {
  problem: [
    { key: 'name', label: 'Problem', text: (r) => r.name },
    { key: 'status', label: 'Status', text: (r) => (r.status === 'active' ? 'Active' : 'Resolved') },
    { key: 'onset', label: 'Since', text: (r) => usDate(r.onsetDate) },
    { key: 'note', label: 'Note', text: (r) => orNone(r.note) },
  ],
  medication: [
    { key: 'name', label: 'Medication', text: (r) => r.name },
    { key: 'dose', label: 'Dose', text: (r) => r.dose },
    { key: 'instructions', label: 'Instructions', text: (r) => orNone(r.instructions) },
    { key: 'prescriber', label: 'Prescribed by', text: (r) => r.prescriberName },
    { key: 'refills', label: 'Refills left', text: (r) => String(r.refillsLeft) },
    { key: 'status', label: 'Status', text: (r) => (r.active ? 'Active' : 'Stopped') },
  ],
  allergy: [
    { key: 'substance', label: 'Allergy to', text: (r) => r.substance },
    { key: 'reaction', label: 'Reaction', text: (r) => orNone(r.reaction) },
    { key: 'severity', label: 'Severity', text: (r) => capitalised(r.severity) },
  ],
  immunization: [
    { key: 'vaccine', label: 'Vaccine', text: (r) => r.vaccine },
    { key: 'date', label: 'Date given', text: (r) => usDate(r.date) },
    { key: 'note', label: 'Note', text: (r) => orNone(r.note) },
  ],
  labResult: [
    { key: 'test', label: 'Test', text: (r) => r.test },
    { key: 'date', label: 'Date', text: (r) => usDate(r.date) },
    { key: 'value', label: 'Result', text: (r) => `${r.value} ${r.unit}`.trim() },
    { key: 'range', label: 'Reference range', text: (r) => orNone(r.referenceRange) },
    { key: 'flag', label: 'Flag', text: (r) => LAB_FLAG_LABELS[r.flag] },
  ],
  visitSummary: [
    { key: 'date', label: 'Visit date', text: (r) => usDate(r.date) },
    { key: 'physician', label: 'Physician', text: (r) => r.physicianName },
    { key: 'reason', label: 'Reason', text: (r) => r.reason },
    { key: 'summary', label: 'Summary', text: (r) => r.summary, prose: true },
  ],
};

/** "No allergies on file." */
export function emptySectionText(kind: RecordKind): string {
  return `No ${RECORD_KIND_LABELS[kind].toLowerCase()} on file.`;
}

/** A lab result's flag, for the cell that says it in words (and adds a mark). */
export function labFlagOf(row: object): LabFlag | null {
  const flag = 'flag' in row ? row.flag : null;
  return (LAB_FLAGS as readonly unknown[]).includes(flag) ? (flag as LabFlag) : null;
}
