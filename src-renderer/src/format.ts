import type { PatientRecord } from '../../shared/domain/patient';
import { formatInstant } from '../../shared/time/instant';

export function patientName(patient: Pick<PatientRecord, 'givenName' | 'familyName'>): string {
  return `${patient.givenName} ${patient.familyName}`.trim();
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

/** "9:30 AM" in the clinic's zone. */
export function formatTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
}

/** "9:30 – 10:00 AM" in the clinic's zone; just the start when the end is unknown. */
export function formatTimeRange(start: string, end: string | null, timeZone: string): string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit' });
  return end ? format.formatRange(new Date(start), new Date(end)) : format.format(new Date(start));
}

/** The zone's short name at that moment ("CST"), for saying which zone times are in. */
export function zoneAbbreviation(timeZone: string, at: Date = new Date()): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone;
}

/** "America/Chicago (CST)": how a screen names the zone its times are in. */
export function zoneName(timeZone: string, at: Date = new Date()): string {
  const short = zoneAbbreviation(timeZone, at);
  return short === timeZone ? timeZone.replaceAll('_', ' ') : `${timeZone.replaceAll('_', ' ')} (${short})`;
}
