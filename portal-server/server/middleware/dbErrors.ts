import { DomainError } from '../../../shared/api/errors';
import { databaseErrorCodes } from '../../../shared/node/errorCodes';

/** How long a client is asked to wait when the database cannot be reached (Retry-After). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Driver error codes that mean "the database cannot be reached or cannot take this right now",
 * not "this request is wrong": connection refused or cut, PostgreSQL shutting down or not
 * accepting connections (57P0x, 08xxx, 53300 too many connections, 55000/55P03 a database closed to
 * connections or a lock not available), SQLite busy past its timeout, unable to open, I/O error or
 * disk full.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '55000',
  '55P03',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
]);

/** Messages node-postgres and TypeORM use, without a code, for a connection that went away. */
const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /Client has encountered a connection error/i, /Cannot use a pool after calling end/i, /Connection is not established/i];

/** True when `err` says the database is away (or too busy), so the request may be retried as is. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const codes = databaseErrorCodes(err);
  if (codes.some((code) => UNAVAILABLE_CODES.has(code) || code.startsWith('08') || (code.startsWith('SQLITE_IOERR')))) {
    return true;
  }
  const message = err instanceof Error ? err.message : '';
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}

export const DATABASE_UNAVAILABLE = (): DomainError => new DomainError('offline', 'The portal cannot reach its database right now. Nothing was changed. Try again in a minute.');
