import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../../shared/api/errors';
import type { ApiErrorResponse, ErrorCode } from '../../../shared/api/errors';
import { TooManyTries } from '../features/sign-in-lockout/lockout';
import { JSON_TOO_DEEP } from './jsonDepth';
import { DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE, isDatabaseUnavailable } from './dbErrors';
import type { Logger } from '../logger';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  verification_failed: 400,
  invitation_not_found: 404,
  invitation_expired: 410,
  invitation_revoked: 410,
  invitation_used: 410,
  invitation_locked: 423,
  username_taken: 409,
  invalid_credentials: 401,
  not_signed_in: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  csrf_failed: 403,
  not_set_up: 404,
  already_set_up: 409,
  protocol_outdated: 426,
  rate_limited: 429,
  payload_too_large: 413,
  unsupported_media_type: 415,
  offline: 503,
  internal: 500,
  not_applied: 409,
  second_factor_required: 401,
  second_factor_enrolment_required: 401,
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

export function sendError(res: Response, error: DomainError): void {
  if (error instanceof TooManyTries) {
    res.set('Retry-After', String(error.retryAfterSeconds));
  } else if (error.code === 'offline') {
    res.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
  }
  const body: ApiErrorResponse = { error: error.toBody() };
  res.status(STATUS[error.code]).json(body);
}

/** Unknown /api paths answer JSON, not the SPA. */
export function apiNotFound(_req: Request, res: Response): void {
  sendError(res, new DomainError('not_found', 'There is no such API endpoint.'));
}

/**
 * A malformed request is the client's fault: the body parser's and the router's own errors (an
 * unknown or corrupt Content-Encoding, an unknown charset, a bad %-escape in the path) carry a 4xx
 * status. They get a plain message; their text (which may echo the request) never leaves.
 */
function clientFault(err: unknown): DomainError | null {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { type?: unknown; status?: unknown; statusCode?: unknown };
  switch (e.type) {
    case 'entity.too.large':
      return new DomainError('payload_too_large', 'The request is too large.');
    case JSON_TOO_DEEP:
      return new DomainError('validation_failed', 'The request is nested too deeply.');
    case 'entity.parse.failed':
      return new DomainError('validation_failed', 'The request body is not valid JSON.');
    case 'encoding.unsupported':
      return new DomainError('unsupported_media_type', 'The request is compressed in a way the server does not read. Send it uncompressed, or as gzip, deflate or br.');
    case 'charset.unsupported':
      return new DomainError('unsupported_media_type', 'The request is in a character set the server does not read. Send it as UTF-8.');
    default:
      break;
  }
  if (err instanceof URIError) {
    return new DomainError('validation_failed', 'The address of this request is not valid.');
  }
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    // A corrupt compressed body (zlib) or a body cut short: whatever the parser says, in plain words.
    return new DomainError('validation_failed', 'The request could not be read. Check that its body matches its headers and try again.');
  }
  return null;
}

/**
 * The one place thrown errors become `{ error: { code, message, fields } }`. No stack traces leave;
 * unexpected ones are logged for IT with the request's id (logger.ts says what never goes in).
 */
export function errorHandler() {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof DomainError) {
      sendError(res, err);
      return;
    }
    const refusal = clientFault(err);
    if (refusal) {
      sendError(res, refusal);
      return;
    }
    const logger = (req as Request & { log?: Logger }).log;
    // A database that went away is not a bug: the client may retry (Retry-After), and the
    // transaction it was in rolled back, so nothing is half-written.
    if (isDatabaseUnavailable(err)) {
      logger?.warn({ err, path: req.path }, 'database unavailable');
      sendError(res, DATABASE_UNAVAILABLE());
      return;
    }
    // Without the request's body or query string: they may hold health data (logger.ts).
    logger?.error({ err, path: req.path }, 'unexpected error');
    sendError(res, new DomainError('internal', 'Something went wrong on our side. Please try again in a moment.'));
  };
}
