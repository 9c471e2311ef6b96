export const RENEWAL_STATUSES = ['requested', 'approved', 'denied'] as const;
export type RenewalStatus = (typeof RENEWAL_STATUSES)[number];

export const RENEWAL_STATUS_LABELS: Record<RenewalStatus, string> = {
  requested: 'Requested',
  approved: 'Approved',
  denied: 'Denied',
};

export interface RenewalRecord {
  id: string;
  patientId: string;
  medicationId: string;
  /** Copied when requested, so the request reads the same if the medication is later edited. */
  medicationName: string;
  pharmacy: string;
  note: string;
  status: RenewalStatus;
  /** The physician's reason (required when denied). */
  decisionNote: string | null;
  decidedById: string | null;
  decidedAt: string | null;
  requestedAt: string;
  version: number;
  updatedAt: string;
}

export interface RenewalView {
  id: string;
  medicationId: string;
  medicationName: string;
  pharmacy: string;
  note: string;
  status: RenewalStatus;
  decisionNote: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  requestedAt: string;
}
