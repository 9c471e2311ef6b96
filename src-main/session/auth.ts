import { DomainError } from '../../shared/api/errors';
import type { SecondFactorEnrolment, StaffSignInRequest, StaffSignInResponse } from '../../shared/api/types';
import type { StaffUserView } from '../../shared/domain/staff';
import type { AppStatus, SignInEnrolment, StaffCredentials } from '../../shared/ipc/contract';
import { clinicSetupSchema } from '../../shared/validation/staff';
import type { ClinicSetupForm } from '../../shared/validation/staff';
import { validateOrThrow } from '../../shared/validation/validate';
import type { FetchLike } from '../net/serverClient';
import { ServerUnreachableError, callServer } from '../net/serverClient';
import type { Session } from './session';

/** The part of the in-process portal server the console needs when it hosts it (a PortalHandle fits). */
export interface PortalHost {
  url: string;
  isSetUp(): Promise<boolean>;
  setupClinic(form: ClinicSetupForm, secondFactor?: { secret: string; code: string }): Promise<{ recoveryCodes?: string[] }>;
  /** A second-factor secret for the first admin, made by the hosted server (nothing written yet). */
  setupEnrolment(form: { name: string; adminUsername: string }): Promise<SecondFactorEnrolment>;
}

export interface AuthServiceOptions {
  session: Session;
  /** The clinic server this console talks to (the hosted server's loopback URL when hosting). */
  serverUrl: string;
  /** Present when this console hosts the portal server itself. */
  host: PortalHost | null;
  fetch: FetchLike;
  /** Shown on the server's device list, e.g. the computer's name. */
  deviceName: string;
  onSignedIn(): Promise<void>;
  onSignedOut(): Promise<void>;
  /** This computer's idle-lock setting (seconds), for the renderer's idle timer. */
  idleLockSeconds(): Promise<number>;
  /** After each online sign-in: keep what lets this person alone unlock the console offline. */
  rememberVerifier(staff: StaffUserView, password: string): Promise<void>;
  /** Set when the device token is not protected by an OS key store: the renderer tells its user. */
  tokenProtectionWarning?: string | null;
  /** "Trust this computer" tokens per person on this console (see SyncStateValues.trustTokens). */
  trustTokens?: {
    get(username: string): Promise<string | null>;
    set(username: string, staffUserId: string, token: string): Promise<void>;
  };
}

/**
 * Staff sign-in against a server this console does not use yet (joining it, issue 16): the
 * password and second factor are checked there and nothing is kept here — a new "trust this
 * computer" token is kept by the new server's core once it is in use (AuthService.adopt); no token
 * of the current server is sent to it.
 */
export function signInElsewhere(o: Pick<AuthServiceOptions, 'session' | 'serverUrl' | 'fetch' | 'deviceName'>): Pick<AuthService, 'verifyOnline' | 'enrolmentAtSignIn' | 'revokeOnServer'> {
  const nothing = () => Promise.resolve();
  return new AuthService({
    ...o,
    host: null,
    onSignedIn: nothing,
    onSignedOut: nothing,
    idleLockSeconds: () => Promise.resolve(0),
    rememberVerifier: nothing,
  });
}

/** First-run clinic setup, staff sign-in and sign-out, and what the console should show. */
export class AuthService {
  /** The first admin's second-factor secret between the two setup steps (kept in this process only). */
  private setupSecret: string | null = null;

  constructor(private readonly o: AuthServiceOptions) {}

  async status(): Promise<AppStatus> {
    const status = await this.currentStatus();
    return this.o.tokenProtectionWarning ? { ...status, tokenProtectionWarning: this.o.tokenProtectionWarning } : status;
  }

  private async currentStatus(): Promise<AppStatus> {
    const hostsServer = this.o.host !== null;
    const idleLockSeconds = await this.o.idleLockSeconds();
    if (this.o.host && !(await this.o.host.isSetUp())) {
      return { mode: 'setup', hostsServer, serverUrl: this.o.serverUrl, clinic: null, staff: null, locked: false, idleLockSeconds };
    }
    const s = await this.o.session.state();
    const locked = s.signedIn && (await this.o.session.isLocked());
    const status: AppStatus = { mode: s.signedIn ? 'ready' : 'sign-in', hostsServer, serverUrl: this.o.serverUrl, clinic: s.clinic, staff: s.signedIn ? s.staff : null, locked, idleLockSeconds };
    const reason = s.signedIn ? null : await this.o.session.signInReason();
    return reason ? { ...status, signInReason: reason } : status;
  }

  /**
   * First run, step 2 (issue 13): a new clinic requires a second factor for admins, so the first
   * admin sets up their authenticator app before the clinic is created. The secret is made by the
   * hosted server and kept here until createClinic.
   */
  async setupEnrolment(form: { name: string; adminUsername: string }): Promise<SignInEnrolment> {
    const host = await this.hostToSetUp();
    const enrolment = await host.setupEnrolment({ name: form.name.trim(), adminUsername: form.adminUsername.trim() });
    this.setupSecret = enrolment.secret;
    return { secret: enrolment.secret, otpauthUri: enrolment.otpauthUri, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(enrolment.qrSvg).toString('base64')}` };
  }

  async createClinic(form: ClinicSetupForm & { code?: string }): Promise<AppStatus> {
    const host = await this.hostToSetUp();
    const { code, ...details } = form;
    const valid = validateOrThrow(clinicSetupSchema, details);
    if (!this.setupSecret || !code?.trim()) {
      const message = 'Set up your authenticator app and enter the 6-digit code it shows.';
      throw new DomainError('validation_failed', message, { code: message });
    }
    const { recoveryCodes } = await host.setupClinic(valid, { secret: this.setupSecret, code: code.trim() });
    this.setupSecret = null;
    const status = await this.status();
    return recoveryCodes ? { ...status, recoveryCodes } : status;
  }

  private async hostToSetUp(): Promise<PortalHost> {
    if (!this.o.host) {
      throw new DomainError('forbidden', 'This console uses the clinic server at another address. Set up the clinic on that server.');
    }
    if (await this.o.host.isSetUp()) {
      throw new DomainError('already_set_up', 'This clinic is already set up. Sign in instead.');
    }
    return this.o.host;
  }

  async signIn(credentials: StaffCredentials): Promise<AppStatus> {
    if (await this.o.session.isLocked()) {
      throw new DomainError('forbidden', 'The console is locked. Unlock it to switch staff members.');
    }
    const response = await this.serverSignIn(credentials);
    await this.adopt(response, credentials.password);
    const status = await this.status();
    return response.recoveryCodes ? { ...status, recoveryCodes: response.recoveryCodes } : status;
  }

  /**
   * Checks the credentials with the clinic server; ServerUnreachableError when it cannot be reached.
   * The server asks for the second factor (second_factor_required / _enrolment_required) unless
   * `renewToken` is this console's live token of the same person, or the person trusted this console.
   */
  async verifyOnline(credentials: StaffCredentials, renewToken?: string | null): Promise<StaffSignInResponse> {
    this.checkFilledIn(credentials);
    if (this.o.host && !(await this.o.host.isSetUp())) {
      throw new DomainError('not_set_up', 'Set up the clinic first.');
    }
    // The new token may push under this console's client id only (the server binds it).
    const clientId = await this.o.session.clientId();
    const username = credentials.username.trim();
    const trustToken = (await this.o.trustTokens?.get(username)) ?? undefined;
    const body: StaffSignInRequest = {
      username,
      password: credentials.password,
      deviceName: this.o.deviceName.slice(0, 80),
      clientId,
      ...(credentials.code?.trim() ? { code: credentials.code.trim() } : {}),
      ...(credentials.trustComputer ? { trustComputer: true } : {}),
      ...(trustToken ? { trustToken } : {}),
      ...(renewToken ? { renewToken } : {}),
    };
    const response = await callServer<StaffSignInResponse>(this.o.fetch, this.o.serverUrl, { method: 'POST', path: '/api/staff/sign-in', body });
    if (response.trustToken) {
      await this.o.trustTokens?.set(username, response.staff.id, response.trustToken);
    }
    return response;
  }

  /** The clinic requires a second factor this person has not set up: a secret to set up now (the password is checked again). */
  async enrolmentAtSignIn(credentials: { username: string; password: string }): Promise<SignInEnrolment> {
    this.checkFilledIn(credentials);
    let enrolment: SecondFactorEnrolment;
    try {
      enrolment = await callServer<SecondFactorEnrolment>(this.o.fetch, this.o.serverUrl, {
        method: 'POST',
        path: '/api/staff/sign-in/enrolment',
        body: { username: credentials.username.trim(), password: credentials.password, deviceName: this.o.deviceName.slice(0, 80) },
      });
    } catch (err) {
      if (err instanceof ServerUnreachableError) {
        throw new DomainError('offline', 'The clinic server is not reachable. Check the connection and try again.');
      }
      throw err;
    }
    return { secret: enrolment.secret, otpauthUri: enrolment.otpauthUri, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(enrolment.qrSvg).toString('base64')}` };
  }

  /**
   * Makes a fresh online sign-in this console's session (a first sign-in, or a switch at the lock
   * screen). Changes still waiting keep their authors' tokens (see heldTokens); tokens nobody needs
   * any more are revoked once the sync engine has restarted with the new one.
   */
  async adopt(response: StaffSignInResponse, password: string): Promise<void> {
    // A sign-in made elsewhere (joining): its "trust this computer" token is kept only now, by this server's core.
    if (response.trustToken && (await this.o.trustTokens?.get(response.staff.username)) !== response.trustToken) {
      await this.o.trustTokens?.set(response.staff.username, response.staff.id, response.trustToken);
    }
    const { retiredTokens } = await this.o.session.remember(response, this.o.serverUrl);
    await this.o.rememberVerifier(response.staff, password);
    await this.o.onSignedIn();
    await Promise.all(retiredTokens.map((token) => this.revokeOnServer(token)));
  }

  private async serverSignIn(credentials: StaffCredentials): Promise<StaffSignInResponse> {
    try {
      return await this.verifyOnline(credentials);
    } catch (err) {
      if (err instanceof ServerUnreachableError) {
        throw new DomainError('offline', 'The clinic server is not reachable. Check the connection and try again.');
      }
      throw err;
    }
  }

  private checkFilledIn(credentials: { username: string; password: string }): void {
    const fields: Record<string, string> = {};
    if (!credentials.username.trim()) {
      fields.username = 'Enter your username.';
    }
    if (!credentials.password) {
      fields.password = 'Enter your password.';
    }
    if (Object.keys(fields).length > 0) {
      throw new DomainError('validation_failed', 'Enter your username and password.', fields);
    }
  }

  /**
   * Tells the server to revoke this console's token when it can; forgets the token either way —
   * except while this person's changes still wait to be sent: then the sync engine keeps it for
   * them alone and revokes it once they are sent.
   */
  async signOut(): Promise<AppStatus> {
    await this.o.onSignedOut();
    const token = await this.o.session.token();
    const { held } = await this.o.session.forget({ holdIfPending: true });
    if (token && !held) {
      await this.revokeOnServer(token);
    }
    return this.status();
  }

  /** Best effort: offline or already revoked, the token is forgotten here all the same. */
  async revokeOnServer(token: string): Promise<void> {
    try {
      await callServer(this.o.fetch, this.o.serverUrl, { method: 'POST', path: '/api/staff/sign-out', token, timeoutMs: 3000 });
    } catch {
      // Nothing more to do: the token is no longer kept on this computer.
    }
  }
}
