/** Errors are data: `{ error: { code, message, fields? } }` on every side. */
export const ERROR_CODES = [
  'validation_failed',
  'verification_failed',
  'invitation_not_found',
  'invitation_expired',
  'invitation_revoked',
  'invitation_used',
  'invitation_locked',
  'username_taken',
  'invalid_credentials',
  'not_signed_in',
  'forbidden',
  'not_found',
  'conflict',
  'csrf_failed',
  'not_set_up',
  'already_set_up',
  'protocol_outdated',
  'rate_limited',
  'payload_too_large',
  /** A body in a Content-Encoding or charset the server does not read. */
  'unsupported_media_type',
  'offline',
  'internal',
  /** A confirmOnly mutation (see Mutation.confirmOnly) the server had not applied: nothing was. */
  'not_applied',
  /** The password was right; this person must also enter a code from their authenticator app (or a recovery code). */
  'second_factor_required',
  /** The password was right; the clinic requires a second factor this person has not set up yet: set it up first. */
  'second_factor_enrolment_required',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  /** Field path → what is wrong with it, in the user's words. */
  fields?: Record<string, string>;
  /** The numbers and dates in `message` (e.g. `{ minutes: 15 }`), so the portal can say it in the patient's language. */
  params?: Record<string, string | number>;
  /**
   * The console only: a desk joining a server set up a second factor there, then the join failed
   * (not saved, or the switch failed). The factor stays set up on that server: its recovery codes,
   * shown once.
   */
  recoveryCodes?: string[];
}

export interface ApiErrorResponse {
  error: ApiErrorBody;
}

/** A domain error that the server's error handler and the console's IPC layer turn into data. */
export class DomainError extends Error {
  /** See ApiErrorBody.recoveryCodes. */
  recoveryCodes?: string[];

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    readonly params?: Record<string, string | number>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toBody(): ApiErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.fields ? { fields: this.fields } : {}),
      ...(this.params ? { params: this.params } : {}),
      ...(this.recoveryCodes ? { recoveryCodes: this.recoveryCodes } : {}),
    };
  }
}

export function isApiErrorResponse(value: unknown): value is ApiErrorResponse {
  return (
    typeof value === 'object' &&
    value !== null &&
    'error' in value &&
    typeof (value as { error: unknown }).error === 'object' &&
    typeof (value as { error: { code?: unknown } }).error.code === 'string'
  );
}
