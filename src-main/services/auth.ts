import { DomainError } from '../../shared/api/errors';
import type { StaffSignInRequest, StaffSignInResponse } from '../../shared/api/types';
import type { AppStatus } from '../../shared/ipc/contract';
import { clinicSetupSchema } from '../../shared/validation/staff';
import type { ClinicSetupForm } from '../../shared/validation/staff';
import { validateOrThrow } from '../../shared/validation/validate';
import type { FetchLike } from './serverClient';
import { ServerUnreachableError, callServer } from './serverClient';
import type { Session } from './session';

/** The part of the in-process portal server the console needs when it hosts it (a PortalHandle fits). */
export interface PortalHost {
  url: string;
  isSetUp(): Promise<boolean>;
  setupClinic(form: ClinicSetupForm): Promise<void>;
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
}

/** First-run clinic setup, staff sign-in and sign-out, and what the console should show. */
export class AuthService {
  constructor(private readonly o: AuthServiceOptions) {}

  async status(): Promise<AppStatus> {
    const hostsServer = this.o.host !== null;
    if (this.o.host && !(await this.o.host.isSetUp())) {
      return { mode: 'setup', hostsServer, serverUrl: this.o.serverUrl, clinic: null, staff: null };
    }
    const s = await this.o.session.state();
    return { mode: s.signedIn ? 'ready' : 'sign-in', hostsServer, serverUrl: this.o.serverUrl, clinic: s.clinic, staff: s.signedIn ? s.staff : null };
  }

  async createClinic(form: ClinicSetupForm): Promise<AppStatus> {
    if (!this.o.host) {
      throw new DomainError('forbidden', 'This console uses the clinic server at another address. Set up the clinic on that server.');
    }
    const valid = validateOrThrow(clinicSetupSchema, form);
    if (await this.o.host.isSetUp()) {
      throw new DomainError('already_set_up', 'This clinic is already set up. Sign in instead.');
    }
    await this.o.host.setupClinic(valid);
    return this.status();
  }

  async signIn(credentials: { username: string; password: string }): Promise<AppStatus> {
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
    if (this.o.host && !(await this.o.host.isSetUp())) {
      throw new DomainError('not_set_up', 'Set up the clinic first.');
    }
    const body: StaffSignInRequest = { username: credentials.username.trim(), password: credentials.password, deviceName: this.o.deviceName.slice(0, 80) };
    let response: StaffSignInResponse;
    try {
      response = await callServer<StaffSignInResponse>(this.o.fetch, this.o.serverUrl, { method: 'POST', path: '/api/staff/sign-in', body });
    } catch (err) {
      if (err instanceof ServerUnreachableError) {
        throw new DomainError('offline', 'The clinic server is not reachable. Check the connection and try again.');
      }
      throw err;
    }
    await this.o.session.remember(response, this.o.serverUrl);
    await this.o.onSignedIn();
    return this.status();
  }

  /** Tells the server to revoke this console's token when it can; forgets the token either way. */
  async signOut(): Promise<AppStatus> {
    await this.o.onSignedOut();
    const token = await this.o.session.token();
    if (token) {
      try {
        await callServer(this.o.fetch, this.o.serverUrl, { method: 'POST', path: '/api/staff/sign-out', token, timeoutMs: 3000 });
      } catch {
        // Best effort: offline or already revoked, the token is forgotten here all the same.
      }
    }
    await this.o.session.forget();
    return this.status();
  }
}
