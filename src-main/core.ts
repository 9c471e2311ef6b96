import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../shared/node/db';
import { openReplica } from './replica/replica';
import { ensureClientId, getState, setState } from './replica/syncState';
import { ConsoleEvents } from './events';
import { createIpcRegistry } from './ipc/registry';
import type { ConsoleServices, IpcRegistry } from './ipc/registry';
import { FileSecretStore } from './platform/secretStore';
import type { SecretStore } from './platform/secretStore';
import { AppointmentService } from './services/appointments';
import { AuthService } from './session/auth';
import { ClinicSettingsService } from './services/clinicSettings';
import type { PortalHost } from './session/auth';
import { ConsoleLockService, readIdleLockSeconds, rememberVerifier } from './session/consoleLock';
import { InvitationService } from './services/invitations';
import { MessageService } from './services/messages';
import { OverviewService } from './services/overview';
import { PatientService } from './services/patients';
import { RecordService } from './services/record';
import { RenewalService } from './services/renewals';
import type { FetchLike } from './net/serverClient';
import { joinUrl } from './net/serverClient';
import { Session } from './session/session';
import { ServerConnectionService } from './services/serverConnection';
import type { JoinedServer } from './services/serverConnection';
import type { AppStatus } from '../shared/ipc/contract';
import { HostedPortalService } from './services/hostedPortal';
import type { PortalRules } from './services/hostedPortal';
import { BackupService } from './services/backups';
import type { HostedBackup } from './services/backups';
import { StaffAdminService } from './services/staffAdmin';
import { StaffSecurityService } from './services/staffSecurity';
import { InvitationLetterService } from './services/invitationLetters';
import { RefusedChangesService } from './services/refusedChanges';
import { SyncEngine } from './sync/engine';
import type { SyncEngineOptions } from './sync/engine';
import { outbox } from './replica/outbox';

export interface ConsoleCoreOptions {
  /** Folder for the replica (console.sqlite) and, by default, the secrets file. */
  dataDir: string;
  sqlitePath?: string;
  secretStore?: SecretStore;
  /** Set when the secret store is not protected by an OS key store (see platform/keyStore.ts). */
  tokenProtectionWarning?: string | null;
  /** The clinic server's address; the hosted server's loopback URL when hosting. */
  serverUrl: string;
  /** The in-process portal server, when this console hosts it. */
  host?: PortalHost | null;
  /** The portal server's configuration rules (index.ts hands in readConfig): the "Portal server" screen of a hosting console. */
  portalRules?: PortalRules | null;
  fetch?: FetchLike;
  deviceName?: string;
  sync?: Partial<Omit<SyncEngineOptions, 'db' | 'outbox' | 'session' | 'serverUrl' | 'fetch' | 'events'>>;
  now?: () => Date;
  log?: (line: string) => void;
  /** Where printed invitation letters are saved; default `<dataDir>/letters`. */
  lettersDir?: string;
  /** Opens a saved PDF (Electron's shell in the app; tests leave it out and nothing opens). */
  openFile?: (file: string) => Promise<void>;
  /** How to back up the portal this console hosts (index.ts hands in the server's own backup). */
  hostedBackup?: HostedBackup | null;
  /** Replaces this core with one for a server the desk just joined (consoleHolder.ts hands it in). */
  switchServer?: (joined: JoinedServer) => Promise<AppStatus>;
}

export interface ConsoleCore {
  db: Database;
  session: Session;
  services: ConsoleServices;
  registry: IpcRegistry;
  engine: SyncEngine;
  events: ConsoleEvents;
  outbox: typeof outbox;
  /** Stops syncing and closes the replica. */
  close(): Promise<void>;
}

const FINAL_PUSH_MS = 5000;

/**
 * Everything the console's main process does, without Electron: the replica, the services, the
 * sync engine and the IPC registry. src-main/index.ts wraps it in a window; tests use it directly.
 */
export async function createConsoleCore(o: ConsoleCoreOptions): Promise<ConsoleCore> {
  const log = o.log ?? ((line: string) => console.warn(line));
  const now = o.now ?? (() => new Date());
  const fetchImpl = o.fetch ?? fetch;
  const db = await openReplica(o.sqlitePath ?? join(o.dataDir, 'console.sqlite'));
  await db.write(ensureClientId);
  const secrets = o.secretStore ?? new FileSecretStore(o.dataDir);
  const session = new Session(db, secrets);
  const events = new ConsoleEvents();
  // The renderer switches screens when the lock changes or the server ends the session.
  const publishAppStatus = (): void => {
    auth.status().then(
      (status) => events.emit('app.status', status),
      () => undefined,
    );
  };
  const engine = new SyncEngine({ ...o.sync, db, outbox, session, serverUrl: o.serverUrl, fetch: fetchImpl, events, now, log, onSessionEnded: publishAppStatus });
  const replica = {
    db,
    outbox,
    session,
    now,
    onLocalWrite: (tables: string[]) => {
      // An audit-only change (a record opened) changes no rows: nothing for the views to reload.
      if (tables.length > 0) {
        events.emit('data.changed', { tables });
      }
      engine.noteLocalWrite();
    },
  };
  const deviceName = o.deviceName ?? `Staff console on ${hostname()}`;
  // A trust token is the server's, for one person: kept under both, so one server's is never sent
  // to another (a desk that joined a clinic's server keeps the old server's under that server).
  const trustKey = (username: string) => `${joinUrl(o.serverUrl, '').toLowerCase()} ${username.trim().toLowerCase()}`;
  const trustTokens = {
    get: async (username: string) => (await db.read((m) => getState(m, 'trustTokens')))?.[trustKey(username)]?.token ?? null,
    set: (username: string, staffUserId: string, token: string) =>
      db.write(async (m) => setState(m, 'trustTokens', { ...((await getState(m, 'trustTokens')) ?? {}), [trustKey(username)]: { staffUserId, token } })),
  };
  const auth = new AuthService({
    session,
    serverUrl: o.serverUrl,
    host: o.host ?? null,
    fetch: fetchImpl,
    deviceName,
    onSignedIn: () => engine.restart(),
    onSignedOut: async () => {
      // Give waiting changes a last chance to leave while the token still works.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([engine.syncNow(), new Promise((resolve) => (timer = setTimeout(resolve, FINAL_PUSH_MS)))]);
      clearTimeout(timer);
      await engine.stop();
    },
    idleLockSeconds: () => readIdleLockSeconds(db),
    rememberVerifier: (staff, password) => rememberVerifier(db, staff, password),
    trustTokens,
    tokenProtectionWarning: o.tokenProtectionWarning ?? null,
  });
  const backups = new BackupService({ session, dataDir: o.dataDir, hosted: o.hostedBackup ?? null, now, log });
  backups.start();
  const services: ConsoleServices = {
    auth,
    patients: new PatientService(replica),
    invitations: new InvitationService(replica),
    letters: new InvitationLetterService({
      session,
      serverUrl: o.serverUrl,
      fetch: fetchImpl,
      lettersDir: o.lettersDir ?? join(o.dataDir, 'letters'),
      openFile: o.openFile ?? (() => Promise.resolve()),
      afterPrint: () => void engine.syncNow().catch(() => undefined),
      now,
    }),
    staff: new StaffAdminService({ session, serverUrl: o.serverUrl, fetch: fetchImpl }),
    clinic: new ClinicSettingsService({ session, serverUrl: o.serverUrl, fetch: fetchImpl, status: () => auth.status() }),
    overview: new OverviewService(replica),
    appointments: new AppointmentService(replica),
    renewals: new RenewalService(replica),
    messages: new MessageService(replica),
    record: new RecordService(replica),
    sync: engine,
    refusedChanges: new RefusedChangesService({ db, outbox, session, now, onLocalWrite: replica.onLocalWrite, publishStatus: () => engine.refreshStatus() }),
    events,
    lock: new ConsoleLockService({ db, session, auth, changed: publishAppStatus, now }),
    security: new StaffSecurityService({ db, session, serverUrl: o.serverUrl, fetch: fetchImpl }),
    portal: new HostedPortalService({ dataDir: o.dataDir, session, secrets, hostsServer: Boolean(o.host), rules: o.portalRules ?? null }),
    backups,
    server: new ServerConnectionService({
      dataDir: o.dataDir,
      db,
      session,
      serverUrl: o.serverUrl,
      hostsServer: Boolean(o.host),
      hostedClinicExists: () => o.host?.isSetUp() ?? Promise.resolve(false),
      deviceName,
      ...(o.switchServer ? { switchServer: o.switchServer } : {}),
    }),
  };
  const registry = createIpcRegistry(services, log);
  // The lock is read before the engine starts: its first status events already know to hide the
  // patient names in refused changes from a console that was restarted while locked.
  await session.isLocked();
  if ((await session.state()).signedIn) {
    engine.start();
  }
  return {
    db,
    session,
    services,
    registry,
    engine,
    events,
    outbox,
    async close() {
      backups.stop();
      await engine.close();
      await db.close();
    },
  };
}
