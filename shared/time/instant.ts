import { parseIsoDate } from './dateOnly';

/** Instants stored in the database: years 1900..9999, so every one is a 24-character ISO string that sorts as text. */
export const FIRST_STORABLE_YEAR = 1900;
export const LAST_STORABLE_YEAR = 9999;
/** The first millisecond no stored instant may reach (an appointment's end included). */
export const END_OF_STORABLE_TIME = Date.UTC(LAST_STORABLE_YEAR + 1, 0, 1);

const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/**
 * The epoch milliseconds of an ISO-8601 instant with its offset (as `toISOString` writes it) on a
 * real calendar date, or null. `Date.parse` alone also takes other formats, rolls 31 February
 * over into March and goes up to year 275760, which no stored instant may hold.
 */
export function parseStorableInstant(text: string): number | null {
  const m = ISO_INSTANT.exec(text);
  if (!m || parseIsoDate(m[1] ?? '') === null) {
    return null;
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    return null;
  }
  const year = new Date(ms).getUTCFullYear();
  return year >= FIRST_STORABLE_YEAR && year <= LAST_STORABLE_YEAR ? ms : null;
}

/**
 * One formatter per time zone: making an Intl.DateTimeFormat costs far more than using one (it was
 * 4% of a home view's CPU time, made for every appointment shown — bench/README.md).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Instants are stored in UTC (ISO strings) and shown in the clinic's zone with the zone named;
 * `locale` words the month ("es-US" for the Spanish portal), US order either way.
 */
export function formatInstant(iso: string, timeZone: string, locale = 'en-US'): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return '';
  }
  const key = `${locale}|${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
    formatters.set(key, format);
  }
  return format.format(d);
}

/** "December 19, 2026"; another `locale` names the month in its language ('es-US': "19 de diciembre de 2026"). */
export function formatDateInZone(iso: string, timeZone: string, locale = 'en-US'): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return '';
  }
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  }).format(d);
}
