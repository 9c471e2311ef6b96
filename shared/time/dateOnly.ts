/**
 * Calendar dates (a date of birth) as `YYYY-MM-DD` strings. They never pass through a `Date`
 * in a time zone, so 04/12/1986 is 04/12/1986 wherever the code runs.
 */

export type DateOnly = string;

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
/** m/d/yyyy with optional leading zeros, as the patient guide's hint allows. */
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  const days = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return days[month - 1] ?? 0;
}

function build(year: number, month: number, day: number): DateOnly | null {
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return null;
  }
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** "4/12/1986" or "04/12/1986" → "1986-04-12"; anything else (including 02/30/2000) → null. */
export function parseUsDate(text: string): DateOnly | null {
  const trimmed = text.trim();
  // No pattern runs on text longer than any date (a request may carry megabytes here).
  if (trimmed.length > 10) {
    return null;
  }
  const m = US.exec(trimmed);
  if (!m) {
    return null;
  }
  return build(Number(m[3]), Number(m[1]), Number(m[2]));
}

/** A stored date-only string, checked to be a real calendar date. */
export function parseIsoDate(text: string): DateOnly | null {
  if (text.length !== 10) {
    return null;
  }
  const m = ISO.exec(text);
  if (!m) {
    return null;
  }
  return build(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** "1986-04-12" → "04/12/1986". */
export function formatUsDate(date: DateOnly): string {
  const m = ISO.exec(date);
  return m ? `${m[2]}/${m[3]}/${m[1]}` : date;
}

/**
 * Building an Intl.DateTimeFormat costs far more than using one (it loads the zone's rules), and
 * every write that checks a date asks for today's date: keep one per zone. A bad zone throws and
 * is not kept.
 */
const dayFormats = new Map<string, Intl.DateTimeFormat>();
function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format;
}

/** Today's calendar date in an IANA time zone (the clinic's), YYYY-MM-DD. */
export function todayInZone(timeZone: string, now: Date = new Date()): DateOnly {
  const parts = dayFormat(timeZone).formatToParts(now);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Same-format strings compare correctly as text. */
export function isBefore(a: DateOnly, b: DateOnly): boolean {
  return a < b;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    dayFormat(timeZone);
    return true;
  } catch {
    return false;
  }
}
