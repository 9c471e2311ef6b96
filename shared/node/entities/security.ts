/**
 * Brute-force protection and front-desk password resets. Everything lives in the database, so
 * several portal-server instances sharing one database agree on every count and lock.
 */
import { EntitySchema } from 'typeorm';

/** One fixed window of a rate limit: requests to `bucket` (a route) from `key` (a client address). */
export interface RateLimitRow {
  bucket: string;
  key: string;
  windowStart: string;
  count: number;
  /** End of the window; the sweep deletes rows after it. */
  expiresAt: string;
}
export const RateLimitEntity = new EntitySchema<RateLimitRow>({
  name: 'RateLimit',
  tableName: 'rate_limit',
  columns: {
    bucket: { type: 'varchar', length: 100, primary: true },
    key: { type: 'varchar', length: 128, primary: true },
    windowStart: { type: 'varchar', length: 30 },
    count: { type: 'integer' },
    expiresAt: { type: 'varchar', length: 30 },
  },
});

/**
 * Failed sign-ins that belong to no account row: per client address, and per typed username that
 * matches no account (so an unknown username is locked exactly like a real one). Usernames are
 * kept only as an HMAC.
 */
export interface SignInThrottleRow {
  /** e.g. "patient-address", "patient-username", "staff-address", "staff-username". */
  scope: string;
  key: string;
  failures: number;
  lockedUntil: string | null;
  lastFailureAt: string | null;
}
export const SignInThrottleEntity = new EntitySchema<SignInThrottleRow>({
  name: 'SignInThrottle',
  tableName: 'sign_in_throttle',
  columns: {
    scope: { type: 'varchar', length: 32, primary: true },
    key: { type: 'varchar', length: 128, primary: true },
    failures: { type: 'integer' },
    lockedUntil: { type: 'varchar', length: 30, nullable: true },
    lastFailureAt: { type: 'varchar', length: 30, nullable: true },
  },
});

/** A front-desk password reset link: the token is stored only as an HMAC and works once. */
export interface PasswordResetRow {
  id: string;
  clinicId: string;
  accountId: string;
  tokenHash: string;
  expiresAt: string;
  /** The staff member who sent it. */
  createdById: string;
  createdAt: string;
  usedAt: string | null;
}
export const PasswordResetEntity = new EntitySchema<PasswordResetRow>({
  name: 'PasswordReset',
  tableName: 'password_reset',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    clinicId: { type: 'varchar', length: 36 },
    accountId: { type: 'varchar', length: 36 },
    tokenHash: { type: 'varchar', length: 128, unique: true },
    expiresAt: { type: 'varchar', length: 30 },
    createdById: { type: 'varchar', length: 36 },
    createdAt: { type: 'varchar', length: 30 },
    usedAt: { type: 'varchar', length: 30, nullable: true },
  },
});

export const SECURITY_ENTITIES = [RateLimitEntity, SignInThrottleEntity, PasswordResetEntity];
