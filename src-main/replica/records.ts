import type { PatientLanguage } from '../../shared/domain/language';
import type { InvitationRecord, PatientRecord } from '../../shared/domain/patient';
import { formatUsDate } from '../../shared/time/dateOnly';
import type { LocalInvitationRow, LocalPatientRow } from './entities';

/** Lower case without accents, so "jose" finds "José" and "LOPEZ" finds "López". */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Only the record's own fields: local columns never leave the replica. */
export function toPatientRecord(row: PatientRecord): PatientRecord & { language: PatientLanguage | null } {
  return {
    id: row.id,
    givenName: row.givenName,
    familyName: row.familyName,
    dateOfBirth: row.dateOfBirth,
    email: row.email,
    phone: row.phone,
    // A server from before issue 15 sends none: not chosen.
    language: row.language ?? null,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

/** What search matches against: names, email, and the date of birth in both typed forms. */
export function searchTextOf(p: Pick<PatientRecord, 'givenName' | 'familyName' | 'email' | 'dateOfBirth'>): string {
  return foldForSearch(`${p.givenName} ${p.familyName} ${p.email} ${p.dateOfBirth} ${formatUsDate(p.dateOfBirth)}`).slice(0, 500);
}

export function patientRowOf(record: PatientRecord, serverCopy: string | null = null): LocalPatientRow {
  return { ...toPatientRecord(record), searchText: searchTextOf(record), serverCopy };
}

export function toInvitationRecord(row: InvitationRecord): InvitationRecord {
  return {
    id: row.id,
    patientId: row.patientId,
    status: row.status,
    statusChangedAt: row.statusChangedAt,
    sentAt: row.sentAt,
    expiresAt: row.expiresAt,
    lastError: row.lastError,
    // A server from before issue 16 sends none: unknown, not "emailed".
    deliveryState: row.deliveryState ?? null,
    version: row.version,
  };
}

export function invitationRowOf(record: InvitationRecord, serverCopy: string | null = null): LocalInvitationRow {
  return { ...toInvitationRecord(record), serverCopy };
}

export function patientName(p: Pick<PatientRecord, 'givenName' | 'familyName'>): string {
  return `${p.givenName} ${p.familyName}`.trim();
}

/** A new invitation made at the desk: waiting to send until the server has made its Registration ID and mail. */
export function queuedInvitationRow(id: string, patientId: string, now: Date): LocalInvitationRow {
  return {
    id,
    patientId,
    status: 'queued',
    statusChangedAt: now.toISOString(),
    sentAt: null,
    expiresAt: null,
    lastError: null,
    deliveryState: null,
    version: 0,
    serverCopy: null,
  };
}
