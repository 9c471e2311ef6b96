/**
 * Instants shown in the clinic's time zone, in pieces for lists (date, time), always naming the
 * zone with the time, so a patient travelling elsewhere is not misled by their own clock.
 */
export { formatInstant } from '../../../shared/time/instant';
export { formatUsDate } from '../../../shared/time/dateOnly';

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "Thu, Dec 3, 2026" */
export function formatVisitDate(iso: string, timeZone: string): string {
  const date = parse(iso);
  return date
    ? new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' }).format(date)
    : '';
}

/** "9:30 AM EST" */
export function formatTimeWithZone(iso: string, timeZone: string): string {
  const date = parse(iso);
  return date
    ? new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(date)
    : '';
}

/** "Eastern Time" for America/New_York; the IANA name where the browser has no better one. */
export function timeZoneName(timeZone: string): string {
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longGeneric' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName');
    return part?.value ?? timeZone;
  } catch {
    return timeZone;
  }
}
