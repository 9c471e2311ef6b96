import type { InvitationDeliveryState, InvitationStatus } from './invitation';
import type { PatientLanguage } from './language';

/** A patient as the console's replica and the sync protocol carry it. */
export interface PatientRecord {
  id: string;
  givenName: string;
  familyName: string;
  /** Calendar date, YYYY-MM-DD. Never a Date. */
  dateOfBirth: string;
  email: string;
  phone: string | null;
  /** The patient's language for the portal, emails and letters (issue 15); null or absent: not chosen. */
  language?: PatientLanguage | null;
  version: number;
  updatedAt: string;
}

/** An invitation as the console sees it: no token, no Registration ID. */
export interface InvitationRecord {
  id: string;
  patientId: string;
  status: InvitationStatus;
  /** ISO instant of the last status change. */
  statusChangedAt: string;
  sentAt: string | null;
  expiresAt: string | null;
  lastError: string | null;
  /** How the Registration ID left the clinic; null for invitations made before this was recorded. */
  deliveryState: InvitationDeliveryState | null;
  version: number;
}
