/** The medical record's sections, kept by physicians in the console and read by patients. */
export const RECORD_KINDS = ['problem', 'medication', 'allergy', 'immunization', 'labResult', 'visitSummary'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const RECORD_KIND_LABELS: Record<RecordKind, string> = {
  problem: 'Problems',
  medication: 'Medications',
  allergy: 'Allergies',
  immunization: 'Immunizations',
  labResult: 'Lab results',
  visitSummary: 'Visit summaries',
};

interface EntryBase {
  id: string;
  patientId: string;
  version: number;
  updatedAt: string;
}

export interface ProblemFields {
  name: string;
  status: 'active' | 'resolved';
  /** YYYY-MM-DD or null */
  onsetDate: string | null;
  note: string;
}
export interface MedicationFields {
  name: string;
  dose: string;
  instructions: string;
  prescriberName: string;
  refillsLeft: number;
  active: boolean;
}
export const ALLERGY_SEVERITIES = ['mild', 'moderate', 'severe'] as const;
export interface AllergyFields {
  substance: string;
  reaction: string;
  severity: (typeof ALLERGY_SEVERITIES)[number];
}
export interface ImmunizationFields {
  vaccine: string;
  /** YYYY-MM-DD */
  date: string;
  note: string;
}
export const LAB_FLAGS = ['normal', 'low', 'high', 'abnormal', 'critical'] as const;
export type LabFlag = (typeof LAB_FLAGS)[number];
/** Said in words, never by colour alone. */
export const LAB_FLAG_LABELS: Record<LabFlag, string> = {
  normal: 'Normal',
  low: 'Low (below range)',
  high: 'High (above range)',
  abnormal: 'Abnormal',
  critical: 'Critical',
};
export interface LabResultFields {
  test: string;
  value: string;
  unit: string;
  referenceRange: string;
  flag: LabFlag;
  /** YYYY-MM-DD */
  date: string;
}
export interface VisitSummaryFields {
  /** YYYY-MM-DD */
  date: string;
  physicianName: string;
  reason: string;
  summary: string;
}

export interface RecordFields {
  problem: ProblemFields;
  medication: MedicationFields;
  allergy: AllergyFields;
  immunization: ImmunizationFields;
  labResult: LabResultFields;
  visitSummary: VisitSummaryFields;
}

export type RecordEntry<K extends RecordKind = RecordKind> = EntryBase & RecordFields[K];

/** The whole record of one patient, section by section. */
export interface RecordBundle {
  problem: RecordEntry<'problem'>[];
  medication: RecordEntry<'medication'>[];
  allergy: RecordEntry<'allergy'>[];
  immunization: RecordEntry<'immunization'>[];
  labResult: RecordEntry<'labResult'>[];
  visitSummary: RecordEntry<'visitSummary'>[];
}
