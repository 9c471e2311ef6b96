import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { Database } from '../../shared/node/db';
import { SERVER_ENTITIES } from '../../shared/node/entities/server';
import { SERVER_MIGRATIONS } from '../../shared/node/migrations/server';
import type { ClinicSetupForm } from '../../shared/validation/staff';
import { createApp } from './app';
import { assertSafeToListen, loadSecret, mailDirOf } from './config';
import type { PortalConfig } from './config';
import type { ServerContext } from './context';
import { isSetUp, setupClinic } from './features/clinic/service';
import type { SetupSecondFactor } from './features/clinic/service';
import { enrolmentForSetup } from './features/second-factor/factor';
import type { Enrolment } from './features/second-factor/factor';
import { claimTick } from './features/jobs/tick';
import { MailDispatcher } from './features/mail/dispatcher';
import { expireInvitations } from './features/patients/service';
import { sweepSecurityRows } from './features/sign-in-lockout/sweep';
import { ChangeHub } from './features/sync/changeHub';
import { createLogger } from './logger';
import { withinDeadline } from './deadline';
import { takeDataFolderLock } from './features/backup/dataFolderLock';

export { readConfig, ConfigError, mailDirOf } from './config';
export { scheduledBackupOf } from './features/backup/backup';
export type { PortalConfig } from './config';

export interface PortalHandle {
  url: string;
  port: number;
  mailDir: string;
  context: ServerContext;
  isSetUp(): Promise<boolean>;
  /** With `secondFactor` (a secret from setupEnrolment and its first code) the clinic requires it for admins. */
  setupClinic(form: ClinicSetupForm, secondFactor?: SetupSecondFactor): Promise<{ recoveryCodes?: string[] }>;
  /** A second-factor secret for the first admin, made here (nothing is written until setupClinic). */
  setupEnrolment(form: { name: string; adminUsername: string }): Promise<Enrolment>;
  /** Sends every mail that is due now. */
  flushMail(): Promise<void>;
  close(): Promise<void>;
}

const EXPIRY_SWEEP_MS = 60_000;

/**
 * The SQLite database holds every patient's record: mode 0600, like the secret beside it, so no
 * other account on the machine can read or copy it. Made so before SQLite opens it (SQLite gives
 * new -wal and -shm files the database file's mode); files left by an older version are narrowed.
 */
function keepToServiceAccount(sqlitePath: string): void {
  mkdirSync(dirname(sqlitePath), { recursive: true, mode: 0o700 });
  closeSync(openSync(sqlitePath, 'a', 0o600));
  for (const file of [sqlitePath, `${sqlitePath}-wal`, `${sqlitePath}-shm`]) {
    if (existsSync(file)) {
      chmodSync(file, 0o600);
    }
  }
}

/**
 * DATA_DIR (the database, the secret) and the mail folder (delivered .eml files) are the service
 * account's alone: made mode 0700, and narrowed to it when an older version made them 0755. A
 * folder the account cannot narrow (not its own) is reported, not fatal.
 */
function keepFolderToServiceAccount(dir: string, log: (line: string) => void): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) !== 0) {
    try {
      chmodSync(dir, 0o700);
    } catch {
      log(`Warning: ${dir} can be read by other accounts on this machine and could not be narrowed. Run: chmod 700 ${dir}`);
    }
  }
}

const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** Read-only SQLite connections: patients' page loads do not queue behind writes (bench/README.md). */
const DEFAULT_SQLITE_READERS = 2;

/**
 * Opens the database (running migrations), starts mail and listens. The one public start function.
 * The server logs JSON lines (logger.ts) to stdout, or to `log` one line at a time when given.
 */
export async function startPortalServer(config: PortalConfig, log?: (line: string) => void): Promise<PortalHandle> {
  const logger = createLogger({ level: config.logLevel, lines: log });
  const warn = (line: string): void => logger.warn(line);
  // readConfig checks this too; a caller that builds its config by hand gets the same refusal before any folder is made.
  assertSafeToListen(config);
  keepFolderToServiceAccount(config.dataDir, warn);
  if (!config.smtpUrl) {
    keepFolderToServiceAccount(mailDirOf(config), warn);
  }
  const secret = loadSecret(config);
  const sqlitePath = join(config.dataDir, 'portal.sqlite');
  // SQLite: the folder is marked in use (npm run restore refuses it; a second server there is refused).
  const folderLock = config.databaseUrl ? null : takeDataFolderLock(config.dataDir, 'server');
  if (!config.databaseUrl) {
    keepToServiceAccount(sqlitePath);
  }
  const db = await Database.open({
    sqlitePath,
    databaseUrl: config.databaseUrl,
    entities: SERVER_ENTITIES,
    migrations: SERVER_MIGRATIONS,
    readers: config.sqliteReaders ?? DEFAULT_SQLITE_READERS,
  }).catch((err: unknown) => {
    folderLock?.release();
    throw err;
  });
  const changes = new ChangeHub(db);
  const now = () => new Date();
  const mailDir = mailDirOf(config);
  const mail = new MailDispatcher({
    db,
    secret,
    now,
    smtpUrl: config.smtpUrl,
    mailDir,
    mailFrom: config.mailFrom ?? 'no-reply@localhost',
    retryBaseMs: config.mailRetryBaseMs ?? 30_000,
    maxTries: config.mailMaxTries ?? 6,
    leaseMs: config.mailLeaseMs,
    onChange: () => changes.poke(),
  });
  // publicUrl is known only after listening when port is 0; the context reads it lazily.
  let publicUrl = config.publicUrl?.replace(/(?<!\/)\/+$/, '') ?? '';
  const ctx: ServerContext = {
    db,
    config,
    secret,
    get publicUrl() {
      return publicUrl;
    },
    now,
    changes,
    mail,
    logger,
    draining: false,
  };
  let listenOrigin = '';
  const app = createApp(ctx, {
    allowedOrigins: () => [new URL(publicUrl).origin, listenOrigin],
  });
  const server: Server = config.tlsCert && config.tlsKey
    ? createHttpsServer({ cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }, app)
    : createHttpServer(app);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    await db.close();
    folderLock?.release();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const scheme = config.tlsCert ? 'https' : 'http';
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  listenOrigin = `${scheme}://${hostForUrl}:${port}`;
  publicUrl ||= listenOrigin;

  // Once a minute across all instances: whichever instance claims the tick runs the jobs.
  const sweep = setInterval(() => {
    void claimTick(db, 'sweep', now(), EXPIRY_SWEEP_MS)
      .then(async (mine) => {
        if (mine) {
          // Each job on its own: one failing does not skip the other.
          await expireInvitations(ctx).catch(() => undefined);
          await sweepSecurityRows(ctx).catch(() => undefined);
          // Mail another instance left (stopped, or killed mid-send once its lease ends) is picked up here.
          mail.kick();
        }
      })
      .catch(() => undefined);
  }, EXPIRY_SWEEP_MS);
  sweep.unref();
  await expireInvitations(ctx);
  mail.kick();

  let closing: Promise<void> | null = null;
  /**
   * Graceful: readiness turns 503 at once and no new connection is accepted; requests in flight
   * get config.shutdownGraceMs to finish (live streams never finish, so they are ended first);
   * then the rest is cut, mail stops after its current send, and the database closes.
   */
  const shutDown = async (): Promise<void> => {
    ctx.draining = true;
    clearInterval(sweep);
    const grace = config.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    changes.close();
    server.closeIdleConnections();
    const cut = await withinDeadline(closed, grace).then(
      () => false,
      () => true,
    );
    if (cut) {
      logger.warn({ graceMs: grace }, 'shutdown: requests still running after the grace period were cut');
      server.closeAllConnections();
      await closed;
    }
    await mail.close();
    await db.close();
    folderLock?.release();
    logger.info('portal server stopped');
    logger.flush();
  };

  return {
    url: listenOrigin,
    port,
    mailDir,
    context: ctx,
    isSetUp: () => isSetUp(ctx),
    setupClinic: async (form, secondFactor) => {
      const { recoveryCodes } = await setupClinic(ctx, form, secondFactor);
      return recoveryCodes ? { recoveryCodes } : {};
    },
    setupEnrolment: (form) => enrolmentForSetup(form.name || 'Clinic portal', form.adminUsername || 'admin'),
    flushMail: () => mail.flush(),
    close: async () => {
      if (!closing) {
        closing = shutDown();
      }
      return closing;
    },
  };
}
