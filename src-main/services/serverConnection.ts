import { In } from 'typeorm';
import { DomainError } from '../../shared/api/errors';
import type { StaffSignInResponse } from '../../shared/api/types';
import type { AppStatus, ServerCheckView, ServerConnectionView, SignInEnrolment, StaffCredentials } from '../../shared/ipc/contract';
import type { Database } from '../../shared/node/db';
import { OutboxEntity } from '../replica/entities';
import { connectToClinicServer, deviceNameProblem, readConsoleConfig, savedConnection } from '../consoleConfig';
import type { ConsoleConfig } from '../consoleConfig';
import { readHostCertificate } from '../hostCertificate';
import { readPortalSettings } from '../portalSettings';
import { ServerCheckError, certificateChangedIn, checkServer, fetchFor } from '../net/serverIdentity';
import type { PresentedCertificate, ServerCheck } from '../net/serverIdentity';
import { ServerUnreachableError } from '../net/serverClient';
import { signInElsewhere } from '../session/auth';
import type { Session } from '../session/session';

/** A server this desk has just joined: what console.json now says, and the sign-in that worked there. */
export interface JoinedServer {
  config: ConsoleConfig;
  signIn: StaffSignInResponse;
  password: string;
}

/** What the last step of "Connect to our clinic's server" sends. */
export interface JoinRequest {
  address: string;
  confirmedFingerprint: string | null;
  deviceName: string | null;
  credentials: StaffCredentials;
}

export interface ServerConnectionDeps {
  /** Where console.json lives (Electron's userData). */
  dataDir: string;
  db: Database;
  session: Session;
  /** The server this console runs against now. */
  serverUrl: string;
  hostsServer: boolean;
  /** For a hosting console: whether its portal already keeps a clinic (then it must not be switched away from here). */
  hostedClinicExists?: () => Promise<boolean>;
  /** The name this console gives itself at sign-in when the person gives none. */
  deviceName: string;
  /**
   * Puts the joined server to use at once (consoleHolder.ts): this core is closed, a new one talks
   * to the new server through its pin and adopts the sign-in. Absent, a desk cannot join from here.
   */
  switchServer?: (joined: JoinedServer) => Promise<AppStatus>;
}

/**
 * "Connect to our clinic's server" (issue 16): check a server, sign in there, then save it and use
 * it. Only while nobody is signed in here and no change waits to be sent — a desk must not move its
 * unsent changes to another server. Nothing is saved until the sign-in worked.
 */
export class ServerConnectionService {
  private joining = false;

  constructor(private readonly o: ServerConnectionDeps) {}

  /** What the person confirms: the clinic's name and, for a self-signed certificate, its fingerprint. Saves nothing. */
  async check(address: string): Promise<ServerCheckView> {
    try {
      const ok = await checkServer(address);
      return { url: ok.url, clinicName: ok.clinicName, fingerprint256: null };
    } catch (err) {
      if (err instanceof ServerCheckError && err.code === 'certificate_unconfirmed') {
        const presented = (err as ServerCheckError & { presented: PresentedCertificate }).presented;
        // The name is read over the certificate just seen; nothing is sent but this one GET.
        const named = await this.checked(() => checkServer(address, { confirmedFingerprint: presented.fingerprint256 }));
        return { url: named.url, clinicName: named.clinicName, fingerprint256: presented.fingerprint256 };
      }
      throw toDomain(err);
    }
  }

  async current(): Promise<ServerConnectionView> {
    await this.requireAdmin();
    const saved = savedConnection(this.o.dataDir);
    const hosting = this.o.hostsServer;
    return {
      url: this.o.serverUrl,
      hostsServer: hosting,
      fingerprint256: saved.pinnedCertificate?.fingerprint256 ?? null,
      waitingChanges: await this.waiting(),
      desksMayJoin: hosting && Boolean(readPortalSettings(this.o.dataDir).letDesksJoin),
      hostCertificateFingerprint: hosting ? (readHostCertificate(this.o.dataDir)?.fingerprint256 ?? null) : null,
    };
  }

  /** "Test connection": the pin and the clinic saved here must still hold. */
  async test(): Promise<ServerCheckView> {
    await this.requireAdmin();
    const saved = savedConnection(this.o.dataDir);
    const ok = await this.checked(() => checkServer(this.o.serverUrl, { pinned: saved.pinnedCertificate ?? null, expectedClinicId: saved.clinicId ?? null }));
    return { url: ok.url, clinicName: ok.clinicName, fingerprint256: ok.pin?.fingerprint256 ?? null };
  }

  private async requireAdmin(): Promise<void> {
    const s = await this.o.session.state();
    if (!s.signedIn || s.staff?.role !== 'admin') {
      throw new DomainError('forbidden', 'Only administrators can see and test this computer\'s server connection.');
    }
  }

  private waiting(): Promise<number> {
    return this.o.db.read((m) => m.count(OutboxEntity, { where: { status: In(['pending', 'rejected', 'held']) } }));
  }

  /**
   * The last step: the computer's name, this desk's state, the server (as checked and confirmed
   * before), then the staff sign-in on that server — and only when all passed, console.json is
   * written and the console switches to the new server, signed in.
   */
  async connect(request: JoinRequest): Promise<AppStatus> {
    // One join at a time: a second click must not sign in twice or switch the console twice.
    if (this.joining) {
      throw new DomainError('conflict', 'This computer is already connecting to the clinic\'s server. Wait a moment.');
    }
    this.joining = true;
    try {
      return await this.join(request);
    } finally {
      this.joining = false;
    }
  }

  private async join(request: JoinRequest): Promise<AppStatus> {
    const switchServer = await this.mayJoin(request.deviceName);
    // Filled in by the sign-in, which runs after the server checks and before console.json is written.
    const there: { auth?: ReturnType<typeof signInElsewhere>; signIn?: StaffSignInResponse } = {};
    try {
      await this.checked(() =>
        connectToClinicServer(this.o.dataDir, request.address, {
          confirmedFingerprint: request.confirmedFingerprint,
          ...(request.deviceName ? { deviceName: request.deviceName } : {}),
          beforeSave: async (check, next) => {
            there.auth = this.signInThere(check, next.deviceName ?? this.o.deviceName);
            there.signIn = await offlineAsDomain(there.auth.verifyOnline(request.credentials));
          },
        }),
      );
    } catch (err) {
      // Signed in there but not saved here: the new token must not outlive this attempt.
      if (there.auth && there.signIn) {
        await there.auth.revokeOnServer(there.signIn.token);
      }
      throw withRecoveryCodes(err, there.signIn);
    }
    if (!there.signIn) {
      throw new DomainError('internal', 'The sign-in on the clinic\'s server did not finish. Try again.');
    }
    try {
      return await switchServer({ config: readConsoleConfig(this.o.dataDir), signIn: there.signIn, password: request.credentials.password });
    } catch (err) {
      throw withRecoveryCodes(err, there.signIn);
    }
  }

  /** The clinic requires a second factor this person has not set up: a secret from the new server (nothing saved here). */
  async enrolmentAtSignIn(request: Omit<JoinRequest, 'credentials'> & { credentials: { username: string; password: string } }): Promise<SignInEnrolment> {
    await this.mayJoin(request.deviceName);
    const check = await this.checked(() => checkServer(request.address, { confirmedFingerprint: request.confirmedFingerprint }));
    return this.signInThere(check, request.deviceName?.trim() || this.o.deviceName).enrolmentAtSignIn(request.credentials);
  }

  /** The refusals that come before any server is asked: a bad name, someone signed in, a hosting desk with a clinic, unsent changes. */
  private async mayJoin(deviceName: string | null): Promise<(joined: JoinedServer) => Promise<AppStatus>> {
    // A joining desk names itself (checked before anything else, so a bad name saves nothing).
    const nameProblem = deviceName === null ? null : deviceNameProblem(deviceName);
    if (nameProblem) {
      throw new DomainError('validation_failed', nameProblem, { deviceName: nameProblem });
    }
    if ((await this.o.session.state()).signedIn) {
      throw new DomainError('conflict', 'Sign out first: the clinic\'s server can only be changed while nobody is signed in on this computer.');
    }
    if (this.o.hostsServer && (await this.o.hostedClinicExists?.())) {
      throw new DomainError(
        'conflict',
        'This computer keeps the clinic\'s records: patients and the other desks connect to it. Moving the records to another server is not done from this screen; ask your administrator.',
      );
    }
    const waiting = await this.waiting();
    if (waiting > 0) {
      throw new DomainError('conflict', `${waiting} change${waiting === 1 ? '' : 's'} made on this computer ${waiting === 1 ? 'has' : 'have'} not reached the clinic's server yet. Sign in and send or resolve ${waiting === 1 ? 'it' : 'them'} first.`);
    }
    if (!this.o.switchServer) {
      throw new DomainError('internal', 'This console cannot change its server while it runs. Restart the console and try again.');
    }
    return this.o.switchServer;
  }

  /** Sign-in on the server just checked, over its pin (or the normal checks), never with this desk's current fetch. */
  private signInThere(check: ServerCheck, deviceName: string) {
    return signInElsewhere({ session: this.o.session, serverUrl: check.url, fetch: fetchFor(check.pin), deviceName });
  }

  private async checked<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw toDomain(err);
    }
  }
}

/** The sign-in on the new server: unreachable is said so — unless its certificate is not the one just confirmed. */
export async function offlineAsDomain<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    const changed = err instanceof ServerUnreachableError ? certificateChangedIn(err) : null;
    if (changed) {
      throw toDomain(changed);
    }
    if (err instanceof ServerUnreachableError) {
      throw new DomainError('offline', 'The clinic\'s server stopped answering. Check the connection and try again.');
    }
    throw err;
  }
}

/**
 * A second factor set up on the new server stays set up there even when the join then fails: its
 * recovery codes go back with the error, or the person would never see them.
 */
function withRecoveryCodes(err: unknown, signIn: StaffSignInResponse | undefined): unknown {
  const codes = signIn?.recoveryCodes;
  if (!codes?.length) {
    return err;
  }
  const kept = 'Your second factor is set up on the clinic\'s server: write down the recovery codes shown now, they are not shown again.';
  const domain = err instanceof DomainError ? err : new DomainError('internal', 'Something went wrong in the console. Try again; if it keeps happening, restart the console.');
  const out = new DomainError(domain.code, `${domain.message} ${kept}`, domain.fields, domain.params);
  out.recoveryCodes = codes;
  return out;
}

function toDomain(err: unknown): unknown {
  return err instanceof ServerCheckError ? new DomainError('validation_failed', err.message, { address: err.message }) : err;
}
