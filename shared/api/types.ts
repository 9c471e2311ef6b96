import type { ClinicPublicInfo, ClinicView, PasswordPolicy } from '../domain/clinic';
import type { PatientLanguage } from '../domain/language';
import type { StaffRole, StaffUserView } from '../domain/staff';

export type { ClinicPublicInfo, ClinicView, PasswordPolicy };

/** POST /api/staff/sign-in */
export interface StaffSignInRequest {
  username: string;
  password: string;
  deviceName: string;
  /**
   * The console's sync client id: the new device token may push under it only (see the server's
   * features/sync/binding.ts). Absent, the token is bound at its first push.
   */
  clientId?: string;
  /** A 6-digit code from the authenticator app, or a recovery code (issue 13). */
  code?: string;
  /** "Trust this computer for 30 days": the answer carries a trust token for this console and person. */
  trustComputer?: boolean;
  /** A trust token this console kept from an earlier sign-in of this person: no code is asked while it holds. */
  trustToken?: string;
  /**
   * The console's current device token when the person signed in there unlocks it: the same
   * person proves only their password (a quick switch to someone else asks for the code).
   */
  renewToken?: string;
}
export interface StaffSignInResponse {
  token: string;
  deviceId: string;
  staff: StaffUserView;
  clinic: ClinicView;
  /** Set when this sign-in asked to trust the console: keep it for this person's next sign-ins. */
  trustToken?: string;
  /** Set when this sign-in confirmed a new second factor: shown once, never again. */
  recoveryCodes?: string[];
}

/** POST /api/staff/sign-in/enrolment and POST /api/staff/second-factor/enrolment: a secret not yet in force. */
export interface SecondFactorEnrolment {
  secret: string;
  otpauthUri: string;
  /** An SVG document (the QR code of otpauthUri). */
  qrSvg: string;
}

/** GET /api/staff/second-factor (and the patient's /api/account/second-factor). */
export interface SecondFactorStatus {
  enrolled: boolean;
  /** The clinic's policy requires it for this person. */
  required: boolean;
  recoveryCodesLeft: number;
}

/** A console a staff member chose to trust for 30 days (admins see and revoke them beside the devices). */
export interface TrustedComputerView {
  id: string;
  staffUserId: string;
  staffDisplayName: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

/** POST /api/staff/users (admin) */
export interface CreateStaffRequest {
  username: string;
  displayName: string;
  role: StaffRole;
  password: string;
}

/** POST /api/registration — the "Complete Registration" form plus the link's token. */
export interface RegistrationRequest {
  token: string;
  username: string;
  password: string;
  confirmPassword: string;
  question1: string;
  answer1: string;
  question2: string;
  answer2: string;
  dateOfBirth: string;
  registrationId: string;
}
/** POST /api/registration/by-registration-id — the same form, without a link: the ID finds the invitation. */
export type RegistrationByIdRequest = Omit<RegistrationRequest, 'token'>;
export interface RegistrationResponse {
  username: string;
}
/** POST /api/registration/link-status { token } — a live link; any other answers with its error. */
export interface RegistrationLinkStatus {
  status: 'live';
}

/** POST /api/session */
export interface PatientSignInRequest {
  username: string;
  password: string;
  /** When the patient turned on a second factor: a code from the app, or a recovery code. */
  code?: string;
}
export interface PatientSessionView {
  patient: { givenName: string; familyName: string };
  clinic: { name: string; phone: string };
  /** The patient's chosen language (issue 15); null: not chosen, the portal follows the browser. */
  language: PatientLanguage | null;
  /** Send back as `x-csrf-token` on every state-changing request. */
  csrfToken: string;
  /** The server signs a session out after this many seconds without a request; the portal warns before. */
  idleTimeoutSeconds: number;
}

export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_COOKIE = '__Host-portal_session';
/** On every signed-in answer: seconds until the server ends the session for inactivity. */
export const SESSION_IDLE_HEADER = 'x-session-idle-remaining';
