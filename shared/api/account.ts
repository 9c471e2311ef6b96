/**
 * Account self-service: recovery before sign-in, password and sessions after it.
 *
 *   POST /api/recovery/start                    RecoveryStartRequest → 202 RecoveryStartResponse (always the same)
 *   POST /api/recovery/verify                   RecoveryVerifyRequest → RecoveryVerifyResponse
 *   POST /api/recovery/complete                 RecoveryCompleteRequest → RecoveryCompleteResponse
 *   POST /api/account/password                  ChangePasswordRequest → 204   (signs out every other session)
 *   POST /api/session/sign-out-everywhere       → 204                          (signs out every session)
 *   GET  /api/account/record-access             → RecordAccessEntry[]          (newest first, at most 100)
 */
import type { StaffRole } from '../domain/staff';

export type RecoveryKind = 'password' | 'username';

export type RecoveryStartRequest =
  | { kind: 'password'; username: string }
  /** dateOfBirth as typed: mm/dd/yyyy. */
  | { kind: 'username'; email: string; dateOfBirth: string };

/** The same answer whether or not anything matched: it never tells who has an account. */
export interface RecoveryStartResponse {
  recoveryId: string;
  message: string;
}

export const RECOVERY_STARTED_MESSAGE =
  'If the details match an account, we have sent a code to the email address on file. It expires in 15 minutes.';

/** Every failure to verify a code (unknown, wrong, expired, used, too many tries) reads the same. */
export const RECOVERY_FAILED_MESSAGE = 'That code is not right or has expired. Start again to get a new code.';

/** How long an emailed code works, and how many wrong codes or answers one recovery survives. */
export const RECOVERY_CODE_LIFETIME_MINUTES = 15;
export const RECOVERY_MAX_TRIES = 5;

export interface RecoveryVerifyRequest {
  recoveryId: string;
  code: string;
}
export interface RecoveryVerifyResponse {
  /** The wording of ONE of the account's two security questions. */
  question: string;
}

export interface RecoveryCompleteRequest {
  recoveryId: string;
  code: string;
  answer: string;
  /** Password recovery only. */
  password?: string;
  confirmPassword?: string;
}
export interface RecoveryCompleteResponse {
  kind: RecoveryKind;
  /** The account's username: the person has proved the emailed code and the security answer. */
  username: string;
}

export interface ChangePasswordRequest {
  currentPassword: string;
  password: string;
  confirmPassword: string;
}

/** One time someone at the clinic opened or changed the patient's record. */
export interface RecordAccessEntry {
  id: string;
  /** ISO instant. */
  at: string;
  staffName: string;
  /** Null only for a staff account that no longer exists. */
  role: StaffRole | null;
  what: string;
}
