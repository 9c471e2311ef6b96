import type { PatientLanguage } from '../../shared/domain/language';
import type { PatientRecord } from '../../shared/domain/patient';
import { formatInstant } from '@ui-kit/dates';

export function patientName(patient: Pick<PatientRecord, 'givenName' | 'familyName'>): string {
  return `${patient.givenName} ${patient.familyName}`.trim();
}

/**
 * A patient's preferred language as the desk reads it (issue 15); each language in its own words,
 * the way the patient would pick it. The console itself stays English.
 */
export const LANGUAGE_NAMES: Record<PatientLanguage, string> = { en: 'English', es: 'Español' };
export const LANGUAGE_NOT_CHOSEN = 'Not chosen';

export function languageName(language: PatientLanguage | null | undefined): string {
  return language ? LANGUAGE_NAMES[language] : LANGUAGE_NOT_CHOSEN;
}

/** An instant for a person at the desk, in the clinic's zone with the zone named; "—" when unknown. */
export function formatWhen(iso: string | null | undefined, timeZone: string): string {
  return iso ? formatInstant(iso, timeZone) || '—' : '—';
}

/** A short time for the sync bar: just the time when it was today, else date and time. */
export function formatRecent(iso: string, timeZone: string, now: Date = new Date()): string {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) {
    return '';
  }
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  if (day.format(when) !== day.format(now)) {
    return formatInstant(iso, timeZone);
  }
  return new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(when);
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export { formatTime, formatTimeRange, zoneAbbreviation, zoneName } from '@ui-kit/dates';
