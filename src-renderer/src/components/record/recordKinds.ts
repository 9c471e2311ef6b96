import { ALLERGY_SEVERITIES, LAB_FLAGS, LAB_FLAG_LABELS } from '../../../../shared/domain/record';
import type { RecordEntry, RecordFields, RecordKind } from '../../../../shared/domain/record';
import { formatUsDate } from '../../../../shared/time/dateOnly';

/** How each section of the record is named, tabled and edited in the console. */

/** One item of a section, for "Add …" and dialog titles (RECORD_KIND_LABELS name the sections). */
export const RECORD_ITEM_LABELS: Record<RecordKind, string> = {
  problem: 'problem',
  medication: 'medication',
  allergy: 'allergy',
  immunization: 'immunization',
  labResult: 'lab result',
  visitSummary: 'visit summary',
};

export const RECORD_EMPTY_TEXT: Record<RecordKind, string> = {
  problem: 'No problems recorded.',
  medication: 'No medications recorded.',
  allergy: 'No known allergies recorded.',
  immunization: 'No immunizations recorded.',
  labResult: 'No lab results recorded.',
  visitSummary: 'No visit summaries recorded.',
};

export interface RecordColumn {
  header: string;
  cell: (entry: Record<string, unknown>) => string;
  /** Keep the writer's line breaks (notes, summaries). */
  prewrap?: boolean;
  /** Call attention in text and weight (abnormal lab results). */
  emphasis?: (entry: Record<string, unknown>) => boolean;
}

const text = (key: string) => (entry: Record<string, unknown>) => {
  const value = entry[key];
  return typeof value === 'string' && value.trim() !== '' ? value : '—';
};
const date = (key: string) => (entry: Record<string, unknown>) => {
  const value = entry[key];
  return typeof value === 'string' && value !== '' ? formatUsDate(value) : '—';
};
const capitalised = (key: string) => (entry: Record<string, unknown>) => {
  const value = String(entry[key] ?? '');
  return value ? value[0]?.toUpperCase() + value.slice(1) : '—';
};

export const RECORD_COLUMNS: Record<RecordKind, RecordColumn[]> = {
  problem: [
    { header: 'Problem', cell: text('name') },
    { header: 'Status', cell: capitalised('status') },
    { header: 'Since', cell: date('onsetDate') },
    { header: 'Note', cell: text('note'), prewrap: true },
  ],
  medication: [
    { header: 'Medication', cell: text('name') },
    { header: 'Dose', cell: text('dose') },
    { header: 'Instructions', cell: text('instructions'), prewrap: true },
    { header: 'Prescriber', cell: text('prescriberName') },
    { header: 'Refills left', cell: (e) => String(e.refillsLeft ?? '—') },
    { header: 'Status', cell: (e) => (e.active ? 'Active' : 'Stopped') },
  ],
  allergy: [
    { header: 'Substance', cell: text('substance') },
    { header: 'Reaction', cell: text('reaction') },
    { header: 'Severity', cell: capitalised('severity'), emphasis: (e) => e.severity === 'severe' },
  ],
  immunization: [
    { header: 'Vaccine', cell: text('vaccine') },
    { header: 'Date given', cell: date('date') },
    { header: 'Note', cell: text('note'), prewrap: true },
  ],
  labResult: [
    { header: 'Test', cell: text('test') },
    { header: 'Result', cell: (e) => [e.value, e.unit].filter((part) => typeof part === 'string' && part !== '').join(' ') || '—' },
    { header: 'Reference range', cell: text('referenceRange') },
    { header: 'Flag', cell: (e) => LAB_FLAG_LABELS[e.flag as keyof typeof LAB_FLAG_LABELS] ?? '—', emphasis: (e) => e.flag !== 'normal' },
    { header: 'Date', cell: date('date') },
  ],
  visitSummary: [
    { header: 'Date', cell: date('date') },
    { header: 'Physician', cell: text('physicianName') },
    { header: 'Reason', cell: text('reason') },
    { header: 'Summary', cell: text('summary'), prewrap: true },
  ],
};

/** What names one entry on its buttons: "Edit Lisinopril", "Remove Hemoglobin A1c, 03/02/2026". */
export function entryName(kind: RecordKind, entry: RecordEntry): string {
  const e = entry as unknown as Record<string, string>;
  switch (kind) {
    case 'problem':
    case 'medication':
      return e.name ?? '';
    case 'allergy':
      return e.substance ?? '';
    case 'immunization':
      return `${e.vaccine ?? ''}, ${formatUsDate(e.date ?? '')}`;
    case 'labResult':
      return `${e.test ?? ''}, ${formatUsDate(e.date ?? '')}`;
    case 'visitSummary':
      return `visit of ${formatUsDate(e.date ?? '')}`;
  }
  return '';
}

export type FieldKind = 'text' | 'textarea' | 'date' | 'number' | 'select' | 'checkbox';
export interface RecordFormField {
  name: string;
  label: string;
  kind: FieldKind;
  hint?: string;
  options?: readonly { value: string; label: string }[];
}

const optionsOf = (values: readonly string[], labels?: Record<string, string>) =>
  values.map((value) => ({ value, label: labels?.[value] ?? value[0]?.toUpperCase() + value.slice(1) }));

export const RECORD_FORM_FIELDS: Record<RecordKind, RecordFormField[]> = {
  problem: [
    { name: 'name', label: 'Problem', kind: 'text' },
    { name: 'status', label: 'Status', kind: 'select', options: optionsOf(['active', 'resolved']) },
    { name: 'onsetDate', label: 'Onset date (optional)', kind: 'date' },
    { name: 'note', label: 'Note (optional)', kind: 'textarea' },
  ],
  medication: [
    { name: 'name', label: 'Medication name', kind: 'text' },
    { name: 'dose', label: 'Dose', kind: 'text', hint: 'For example: 10 mg' },
    { name: 'instructions', label: 'Instructions (optional)', kind: 'textarea', hint: 'For example: once a day with food' },
    { name: 'prescriberName', label: 'Prescriber', kind: 'text' },
    { name: 'refillsLeft', label: 'Refills left', kind: 'number' },
    { name: 'active', label: 'The patient is taking this medication', kind: 'checkbox' },
  ],
  allergy: [
    { name: 'substance', label: 'Substance', kind: 'text' },
    { name: 'reaction', label: 'Reaction', kind: 'text' },
    { name: 'severity', label: 'Severity', kind: 'select', options: optionsOf(ALLERGY_SEVERITIES) },
  ],
  immunization: [
    { name: 'vaccine', label: 'Vaccine', kind: 'text' },
    { name: 'date', label: 'Date given', kind: 'date' },
    { name: 'note', label: 'Note (optional)', kind: 'textarea' },
  ],
  labResult: [
    { name: 'test', label: 'Test', kind: 'text' },
    { name: 'value', label: 'Value', kind: 'text' },
    { name: 'unit', label: 'Unit (optional)', kind: 'text' },
    { name: 'referenceRange', label: 'Reference range (optional)', kind: 'text', hint: 'For example: 4.0–5.6' },
    { name: 'flag', label: 'Flag', kind: 'select', options: optionsOf(LAB_FLAGS, LAB_FLAG_LABELS) },
    { name: 'date', label: 'Result date', kind: 'date' },
  ],
  visitSummary: [
    { name: 'date', label: 'Visit date', kind: 'date' },
    { name: 'physicianName', label: 'Physician', kind: 'text' },
    { name: 'reason', label: 'Reason for the visit', kind: 'text' },
    { name: 'summary', label: 'Summary', kind: 'textarea' },
  ],
};

/** A new entry's starting values: today's date, the signed-in physician where a name is asked. */
export function newEntryValues(kind: RecordKind, today: string, physicianName: string): Record<string, unknown> {
  const defaults: { [K in RecordKind]: RecordFields[K] } = {
    problem: { name: '', status: 'active', onsetDate: null, note: '' },
    medication: { name: '', dose: '', instructions: '', prescriberName: physicianName, refillsLeft: 0, active: true },
    allergy: { substance: '', reaction: '', severity: 'mild' },
    immunization: { vaccine: '', date: today, note: '' },
    labResult: { test: '', value: '', unit: '', referenceRange: '', flag: 'normal', date: today },
    visitSummary: { date: today, physicianName, reason: '', summary: '' },
  };
  return formValues(kind, defaults[kind] as unknown as Record<string, unknown>);
}

/** Stored fields as form values: inputs hold text, an empty date is an empty box. */
export function formValues(kind: RecordKind, fields: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of RECORD_FORM_FIELDS[kind]) {
    const value = fields[field.name];
    values[field.name] = field.kind === 'checkbox' ? Boolean(value) : value === null || value === undefined ? '' : String(value);
  }
  return values;
}
