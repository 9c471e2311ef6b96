/**
 * Staff security tools (bearer device token; every call is role-checked on the server and audited)
 * and the patient's side of a front-desk password reset.
 *
 *   POST /api/staff/patients/:patientId/unlock-account   receptionist | admin  → 204
 *        Clears the patient's portal sign-in lockout. 404 not_found when the patient has no account.
 *   POST /api/staff/patients/:patientId/second-factor/reset   receptionist | admin  → 204
 *        Turns off the patient's two-step sign-in (lost phone and recovery codes), ends their
 *        sessions and mails them. 409 conflict when it is not on; 404 when there is no account.
 *   POST /api/staff/patients/:patientId/password-reset   receptionist | admin  → 202 StaffPasswordResetResponse
 *        Emails the patient a one-time link `${PUBLIC_URL}/reset-password#token=…`. A newer reset
 *        replaces an older, unused one. 404 not_found when the patient has no account.
 *   POST /api/password-reset                              (no session)          PasswordResetRequest → 204
 *        Sets the new password under the clinic's policy, signs out every session of the account
 *        and clears its lockout. A bad, used, replaced or expired link → 404 not_found; field
 *        problems → 400 validation_failed with `fields` (password, confirmPassword).
 *   GET  /api/staff/devices                               admin                 → StaffDeviceView[]
 *   POST /api/staff/devices/:id/revoke                    admin                 → StaffDeviceView
 *        The console's token stops working at once. Revoking a revoked device changes nothing.
 *   GET  /api/staff/audit?…AuditQuery                     admin                 → AuditEventView[]
 *        Newest first. For the next page pass the last event's id as `before`; a page shorter
 *        than `limit` is the last one.
 *
 * Refusals: 401 not_signed_in (no or revoked token), 403 forbidden (role), 404 not_found,
 * 400 validation_failed (bad query or body), 429 rate_limited (with a Retry-After header).
 */

/** POST /api/staff/patients/:patientId/password-reset → 202 */
export interface StaffPasswordResetResponse {
  /** When the emailed link stops working (ISO instant): the clinic's invitation lifetime or 3 days, whichever is shorter. */
  expiresAt: string;
}

/** POST /api/password-reset — the link's token plus the new password typed twice. */
export interface PasswordResetRequest {
  token: string;
  password: string;
  confirmPassword: string;
}

/** One signed-in console (GET /api/staff/devices). Instants are ISO UTC strings. */
export interface StaffDeviceView {
  id: string;
  /** The name the console gave at sign-in, e.g. "Front desk 1". */
  name: string;
  staffUserId: string;
  staffName: string;
  createdAt: string;
  lastSeenAt: string;
  /** Set once revoked (by an admin, by signing out, or when the staff member was deactivated). */
  revokedAt: string | null;
}

/** Query string of GET /api/staff/audit; every field optional. */
export interface AuditQuery {
  /** Staff user id or patient account id (UUID) of whoever acted. */
  actorId?: string;
  /** Prefix of the action, e.g. "patient.sign_in" or "record." — up to 64 characters, matched literally (no wildcards). */
  action?: string;
  /**
   * Events about this patient (UUID): entity patient (which includes record entries), or one of
   * their appointments, renewals, message threads, invitations; and what they did themselves
   * while signed in to the portal.
   */
  patientId?: string;
  /** ISO instants: from ≤ at ≤ to. */
  from?: string;
  to?: string;
  /** 1–200, default 50; larger numbers are treated as 200. */
  limit?: number;
  /** Cursor: the id of the last event of the previous page. */
  before?: string;
}

export const AUDIT_QUERY_MAX_LIMIT = 200;
export const AUDIT_QUERY_DEFAULT_LIMIT = 50;

export type AuditActorKind = 'staff' | 'patient' | 'system' | 'anonymous';

/** One audit event, with names resolved for display. */
export interface AuditEventView {
  id: string;
  at: string;
  actorKind: AuditActorKind;
  /** Staff user id, patient account id, or null (system, unknown). For a failed sign-in: the account tried, if it exists. */
  actorId: string | null;
  /** Staff display name or the patient's name; null when unknown. */
  actorName: string | null;
  /**
   * e.g. "patient.sign_in", "patient.sign_in_failed" (detail "reason=wrong_password|unknown_username|
   * locked|address_locked|invalid_input"), "staff.sign_in", "staff.sign_in_failed" (also
   * "reason=refused": deactivated), "record.view", "patient.account_unlock",
   * "patient.password_reset_sent", "patient.password_reset_by_link", "staff.device_revoke".
   */
  action: string;
  /** Kind of thing acted on: patient, appointment, renewal, thread, invitation, staff_user, device … or null. */
  entity: string | null;
  entityId: string | null;
  /** The patient the event is about, where it can be resolved. */
  patientId: string | null;
  patientName: string | null;
  ip: string | null;
  /** Short, PHI-free detail (e.g. "reason=locked", "kind=allergy entry=…"). */
  detail: string | null;
}
