import type { DateOnly } from '../../shared/time/dateOnly';
import { parseIsoDate } from '../../shared/time/dateOnly';
import { instantToZoned, zonedToInstant } from '../../shared/time/zoned';

/*
 * Calendar days of the clinic's schedule as YYYY-MM-DD strings. Arithmetic runs on UTC noon of
 * the day, so no zone or daylight-saving change on this computer can move a date.
 */

function utcNoon(date: DateOnly): Date {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1, 12));
}

function toDateOnly(when: Date): DateOnly {
  return when.toISOString().slice(0, 10);
}

export function addDays(date: DateOnly, days: number): DateOnly {
  const when = utcNoon(date);
  when.setUTCDate(when.getUTCDate() + days);
  return toDateOnly(when);
}

/** The Monday on or before `date`: clinic weeks run Monday to Sunday. */
export function startOfWeek(date: DateOnly): DateOnly {
  const weekday = (utcNoon(date).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

export function isCalendarDate(text: string): boolean {
  return parseIsoDate(text) !== null;
}

/** "Monday, November 30, 2026" */
export function formatDayLong(date: DateOnly): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }).format(utcNoon(date));
}

/** "Mon, Nov 30" */
export function formatDayShort(date: DateOnly): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' }).format(utcNoon(date));
}

/** "Nov 30 – Dec 6, 2026" */
export function formatDayRange(first: DateOnly, last: DateOnly): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' }).formatRange(utcNoon(first), utcNoon(last));
}

/** The clinic's day `date` as instants: from its midnight to the next one (23 or 25 hours long on a change day). */
export function dayBounds(first: DateOnly, days: number, timeZone: string): { from: string; to: string } {
  return {
    from: zonedToInstant(first, '00:00', timeZone) ?? '',
    to: zonedToInstant(addDays(first, days), '00:00', timeZone) ?? '',
  };
}

/** The clinic calendar day an instant falls on. */
export function clinicDateOf(iso: string, timeZone: string): DateOnly {
  return instantToZoned(iso, timeZone).date;
}
