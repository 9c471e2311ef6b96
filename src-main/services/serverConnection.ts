import { In } from 'typeorm';
import { DomainError } from '../../shared/api/errors';
import type { ServerCheckView, ServerConnectionView } from '../../shared/ipc/contract';
import type { Database } from '../../shared/node/db';
import { OutboxEntity } from '../replica/entities';
import { connectToClinicServer, deviceNameProblem, savedConnection } from '../consoleConfig';
import { readHostCertificate } from '../hostCertificate';
import { readPortalSettings } from '../portalSettings';
import { ServerCheckError, checkServer } from '../net/serverIdentity';
import type { PresentedCertificate } from '../net/serverIdentity';
import type { Session } from '../session/session';

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
}

/**
 * "Connect to our clinic's server" (issue 16): check a server, then save it. Only while nobody is
 * signed in here and no change waits to be sent — a desk must not move its unsent changes to
 * another server. The new server is used from the console's next start.
 */
export class ServerConnectionService {
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

  async connect(address: string, confirmedFingerprint: string | null, deviceName: string | null = null): Promise<ServerCheckView> {
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
    const saved = await this.checked(() => connectToClinicServer(this.o.dataDir, address, { confirmedFingerprint, ...(deviceName ? { deviceName } : {}) }));
    return { url: saved.url, clinicName: saved.clinicName, fingerprint256: saved.pin?.fingerprint256 ?? null };
  }

  private async checked<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw toDomain(err);
    }
  }
}

function toDomain(err: unknown): unknown {
  return err instanceof ServerCheckError ? new DomainError('validation_failed', err.message, { address: err.message }) : err;
}
