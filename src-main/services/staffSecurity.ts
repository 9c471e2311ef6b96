import { DomainError } from '../../shared/api/errors';
import { AUDIT_QUERY_MAX_LIMIT } from '../../shared/api/staffSecurity';
import type { AuditEventView, AuditQuery, StaffDeviceView, StaffPasswordResetResponse } from '../../shared/api/staffSecurity';
import type { SecondFactorEnrolment, SecondFactorStatus, TrustedComputerView } from '../../shared/api/types';
import type { StaffRole } from '../../shared/domain/staff';
import type { ConsoleDeviceItem, SignInEnrolment } from '../../shared/ipc/contract';
import { getState } from '../replica/syncState';
import type { Database } from '../../shared/node/db';
import type { FetchLike, ServerRequest } from '../net/serverClient';
import { ServerUnreachableError, callServer } from '../net/serverClient';
import type { Session } from '../session/session';

const PATIENT_ACCOUNT_OFFLINE = 'The clinic server is not reachable. Unlocking a portal account or sending a reset link needs a connection.';
const DEVICES_OFFLINE = 'The clinic server is not reachable. The list of signed-in consoles needs a connection.';
const SECOND_FACTOR_OFFLINE = 'The clinic server is not reachable. Setting up a second factor needs a connection.';
const AUDIT_OFFLINE = 'The clinic server is not reachable. The audit log is kept there, so reading it needs a connection.';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTION = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The staff security tools of shared/api/staffSecurity.ts: a patient's portal lockout and password
 * reset (front desk), signed-in consoles and the audit log (admins). They live only on the server,
 * so they need a connection and never queue; the server checks roles too, this only says it sooner.
 */
export class StaffSecurityService {
  constructor(private readonly o: { db: Database; session: Session; serverUrl: string; fetch: FetchLike }) {}

  async unlockPortalAccount(patientId: string): Promise<void> {
    await this.requireRole(['receptionist', 'admin'], 'Only the front desk or an administrator can unlock a patient’s portal account.');
    await this.call<undefined>({ method: 'POST', path: `/api/staff/patients/${this.id(patientId)}/unlock-account` }, PATIENT_ACCOUNT_OFFLINE);
  }

  async sendPasswordReset(patientId: string): Promise<StaffPasswordResetResponse> {
    await this.requireRole(['receptionist', 'admin'], 'Only the front desk or an administrator can send a password reset.');
    return this.call({ method: 'POST', path: `/api/staff/patients/${this.id(patientId)}/password-reset` }, PATIENT_ACCOUNT_OFFLINE);
  }

  /** A patient lost both phone and recovery codes: turns their two-step sign-in off (they are mailed). */
  async resetPatientSecondFactor(patientId: string): Promise<void> {
    await this.requireRole(['receptionist', 'admin'], 'Only the front desk or an administrator can turn off a patient’s two-step sign-in.');
    await this.call<undefined>({ method: 'POST', path: `/api/staff/patients/${this.id(patientId)}/second-factor/reset` }, PATIENT_ACCOUNT_OFFLINE);
  }

  /** Every console signed in to the clinic, with the one this is marked. */
  async devices(): Promise<ConsoleDeviceItem[]> {
    await this.requireRole(['admin'], 'Only a clinic administrator can see the signed-in consoles.');
    const devices = await this.call<StaffDeviceView[]>({ method: 'GET', path: '/api/staff/devices' }, DEVICES_OFFLINE);
    const mine = await this.o.db.read((m) => getState(m, 'deviceId'));
    return devices.map((device) => ({ ...device, thisConsole: device.id === mine }));
  }

  async revokeDevice(deviceId: string): Promise<ConsoleDeviceItem> {
    await this.requireRole(['admin'], 'Only a clinic administrator can revoke a console.');
    const device = await this.call<StaffDeviceView>({ method: 'POST', path: `/api/staff/devices/${this.id(deviceId)}/revoke` }, DEVICES_OFFLINE);
    const mine = await this.o.db.read((m) => getState(m, 'deviceId'));
    return { ...device, thisConsole: device.id === mine };
  }

  /** The signed-in person's own second factor (issue 13): anyone may set one up, whatever the clinic's policy. */
  async ownSecondFactor(): Promise<SecondFactorStatus> {
    await this.o.session.requireSignedIn();
    return this.call<SecondFactorStatus>({ method: 'GET', path: '/api/staff/second-factor' }, SECOND_FACTOR_OFFLINE);
  }

  async startOwnSecondFactor(): Promise<SignInEnrolment> {
    await this.o.session.requireSignedIn();
    const e = await this.call<SecondFactorEnrolment>({ method: 'POST', path: '/api/staff/second-factor/enrolment', body: {} }, SECOND_FACTOR_OFFLINE);
    return { secret: e.secret, otpauthUri: e.otpauthUri, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(e.qrSvg).toString('base64')}` };
  }

  async confirmOwnSecondFactor(code: string): Promise<{ recoveryCodes: string[] }> {
    await this.o.session.requireSignedIn();
    return this.call<{ recoveryCodes: string[] }>({ method: 'POST', path: '/api/staff/second-factor/confirm', body: { code } }, SECOND_FACTOR_OFFLINE);
  }

  /** Ten new recovery codes after a current code from the app; the old ones stop working. */
  async renewOwnRecoveryCodes(code: string): Promise<{ recoveryCodes: string[] }> {
    await this.o.session.requireSignedIn();
    return this.call<{ recoveryCodes: string[] }>({ method: 'POST', path: '/api/staff/second-factor/recovery-codes', body: { code } }, SECOND_FACTOR_OFFLINE);
  }

  /** Consoles staff chose to trust for 30 days (issue 13): their sign-ins there skip the second factor. */
  async trustedComputers(): Promise<TrustedComputerView[]> {
    await this.requireRole(['admin'], 'Only a clinic administrator can see the trusted computers.');
    return this.call<TrustedComputerView[]>({ method: 'GET', path: '/api/staff/trusted-computers' }, DEVICES_OFFLINE);
  }

  async revokeTrustedComputer(trustId: string): Promise<TrustedComputerView[]> {
    await this.requireRole(['admin'], 'Only a clinic administrator can stop trusting a computer.');
    await this.call<undefined>({ method: 'POST', path: `/api/staff/trusted-computers/${this.id(trustId)}/revoke` }, DEVICES_OFFLINE);
    return this.trustedComputers();
  }

  /** One page of the audit log, newest first; pass the last event's id as `before` for the next. */
  async searchAudit(filters: AuditQuery): Promise<AuditEventView[]> {
    await this.requireRole(['admin'], 'Only a clinic administrator can read the audit log.');
    return this.call({ method: 'GET', path: `/api/staff/audit${auditQueryString(filters)}` }, AUDIT_OFFLINE);
  }

  private async requireRole(roles: StaffRole[], message: string): Promise<void> {
    const { staff } = await this.o.session.requireSignedIn();
    if (!roles.includes(staff.role)) {
      throw new DomainError('forbidden', message);
    }
  }

  private id(value: string): string {
    if (!UUID.test(value)) {
      throw new DomainError('not_found', 'That record is not known to the clinic server.');
    }
    return encodeURIComponent(value);
  }

  /** The server's refusals keep their code, message and fields; no connection is said plainly. */
  private async call<T>(req: Omit<ServerRequest, 'token'>, offlineMessage: string): Promise<T> {
    const token = await this.o.session.token();
    try {
      return await callServer<T>(this.o.fetch, this.o.serverUrl, { ...req, token });
    } catch (err) {
      if (err instanceof ServerUnreachableError) {
        throw new DomainError('offline', offlineMessage);
      }
      throw err;
    }
  }
}

/**
 * The audit filters as a query string, checked first so a bad filter is named in the form:
 * who and which patient are ids, the action a prefix like "record.", dates ISO instants.
 */
export function auditQueryString(filters: AuditQuery): string {
  const fields: Record<string, string> = {};
  const params = new URLSearchParams();
  for (const key of ['actorId', 'patientId', 'before'] as const) {
    const value = filters[key]?.trim();
    if (value) {
      if (!UUID.test(value)) {
        fields[key] = 'Choose from the list.';
      }
      params.set(key, value);
    }
  }
  const action = filters.action?.trim();
  if (action) {
    if (!ACTION.test(action)) {
      fields.action = 'Use letters, digits, dots, dashes or underscores, like record.view.';
    }
    params.set('action', action);
  }
  for (const key of ['from', 'to'] as const) {
    const value = filters[key];
    if (value) {
      if (Number.isNaN(Date.parse(value))) {
        fields[key] = 'Enter a date.';
      }
      params.set(key, value);
    }
  }
  if (filters.from && filters.to && !fields.from && !fields.to && Date.parse(filters.from) > Date.parse(filters.to)) {
    fields.to = '“To” must not be before “From”.';
  }
  if (filters.limit !== undefined) {
    params.set('limit', String(Math.max(1, Math.min(AUDIT_QUERY_MAX_LIMIT, Math.trunc(filters.limit)))));
  }
  if (Object.keys(fields).length > 0) {
    throw new DomainError('validation_failed', 'Some filters need attention.', fields);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
