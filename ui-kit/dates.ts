/**
 * Dates and times as both apps show them: always in the clinic's time zone, with the zone named
 * next to a time, so nobody is misled by their own computer's clock.
 */
import { ref } from 'vue';
import { formatInstant as formatInstantIn } from '../shared/time/instant';

/**
 * The locale that words months and weekdays: 'en-US' unless an app says otherwise (the patient
 * portal sets 'es-US' in Spanish). Reactive, so what is on screen follows a language switch.
 */
export const dateLocale = ref('en-US');

/** "Dec 3, 2026, 9:30 AM CST" in the clinic's zone. */
export function formatInstant(iso: string, timeZone: string): string {
  return formatInstantIn(iso, timeZone, dateLocale.value);
}
export { formatUsDate } from '../shared/time/dateOnly';

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "Thu, Dec 3, 2026" */
export function formatVisitDate(iso: string, timeZone: string): string {
  const date = parse(iso);
  return date
    ? new Intl.DateTimeFormat(dateLocale.value, { timeZone, weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' }).format(date)
    : '';
}

/** "9:30 AM EST" */
export function formatTimeWithZone(iso: string, timeZone: string): string {
  const date = parse(iso);
  return date
    ? new Intl.DateTimeFormat(dateLocale.value, { timeZone, hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(date)
    : '';
}

/** "9:30 AM" in the clinic's zone. */
export function formatTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(dateLocale.value, { timeZone, hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
}

/** "9:30 – 10:00 AM" in the clinic's zone; just the start when the end is unknown. */
export function formatTimeRange(start: string, end: string | null, timeZone: string): string {
  const format = new Intl.DateTimeFormat(dateLocale.value, { timeZone, hour: 'numeric', minute: '2-digit' });
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

/** "Eastern Time" for America/New_York; the IANA name where the browser has no better one. */
export function timeZoneName(timeZone: string): string {
  try {
    const part = new Intl.DateTimeFormat(dateLocale.value, { timeZone, timeZoneName: 'longGeneric' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName');
    return part?.value ?? timeZone;
  } catch {
    return timeZone;
  }
}
