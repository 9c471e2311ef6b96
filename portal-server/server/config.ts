import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { randomToken } from '../../shared/node/secrets';
import { LOG_LEVELS } from './logger';
import type { LogLevel } from './logger';

/** Everything the portal server reads from its environment (README "Configuration"). */
export interface PortalConfig {
  dataDir: string;
  port: number;
  host: string;
  /** The address patients use; it goes into every email. */
  publicUrl?: string;
  /** HMAC key for tokens and IDs; generated into DATA_DIR/secret when absent. */
  secret?: string;
  smtpUrl?: string;
  mailFrom?: string;
  mailDir?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Express "trust proxy" value: the proxy's address(es), never plain `true`. */
  trustProxy?: string;
  /**
   * PLAIN_HTTP_BEHIND_PROXY=1: the deliberate choice to listen in plain HTTP on a non-loopback HOST
   * because a TLS proxy on another host forwards to it. TRUST_PROXY alone no longer allows that.
   */
  plainHttpBehindProxy?: boolean;
  databaseUrl?: string;
  /** Built patient web app; defaults to out/portal-web under the working directory. */
  webDir?: string;
  /** Log one line per request (method, path without query string, status, time). */
  logRequests?: boolean;
  /** SQLITE_READERS: read-only SQLite connections beside the writer (default 2; 0 = reads wait for writes). */
  sqliteReaders?: number;
  /** LOG_LEVEL: fatal, error, warn, info (default), debug, trace or silent. */
  logLevel?: LogLevel;
  /**
   * SHUTDOWN_GRACE_MS: on SIGTERM (and close()) requests in flight get this long to finish before
   * their connections are cut (default 10,000).
   */
  shutdownGraceMs?: number;
  /** Mail retry back-off base in ms (tests shorten it). */
  mailRetryBaseMs?: number;
  /** How many tries before an invitation's mail counts as failed. */
  mailMaxTries?: number;
  /** Sync push and pull requests one console may make per minute (default 1,200; PORTAL_SYNC_RATE). */
  syncRequestsPerMinute?: number;
  /** How long an instance's claim on a mail it is sending holds (default 5 minutes; tests shorten it). */
  mailLeaseMs?: number;
  /** A patient session ends after this long without a request (default 15 minutes; tests shorten it). */
  patientIdleTimeoutMs?: number;
  /** A signed-in patient's writes (messages, replies, requests) per hour and account; 0 turns the limit off (load benchmarks). */
  patientWritesPerHour?: number;
}

export class ConfigError extends Error {}

function positiveIntOf(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') {
    return undefined;
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError(`${name} must be a whole number above 0, not "${text}".`);
  }
  return n;
}

export function readConfig(env: NodeJS.ProcessEnv, overrides: Partial<PortalConfig> = {}): PortalConfig {
  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a number from 0 to 65535, not "${portText}".`);
  }
  const config: PortalConfig = {
    dataDir: resolve(env.DATA_DIR ?? 'data'),
    port,
    host: env.HOST ?? '127.0.0.1',
    publicUrl: env.PUBLIC_URL,
    secret: env.SECRET,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    mailDir: env.MAIL_DIR ? resolve(env.MAIL_DIR) : undefined,
    tlsCert: env.TLS_CERT,
    tlsKey: env.TLS_KEY,
    trustProxy: env.TRUST_PROXY,
    plainHttpBehindProxy: readSwitch(env, 'PLAIN_HTTP_BEHIND_PROXY'),
    databaseUrl: env.DATABASE_URL,
    webDir: env.PORTAL_WEB_DIR,
    logRequests: env.LOG_REQUESTS !== '0',
    logLevel: logLevelOf(env.LOG_LEVEL),
    sqliteReaders: env.SQLITE_READERS === undefined ? undefined : wholeNumberOf('SQLITE_READERS', env.SQLITE_READERS, '0: reads wait for writes'),
    shutdownGraceMs: positiveIntOf(env, 'SHUTDOWN_GRACE_MS'),
    syncRequestsPerMinute: positiveIntOf(env, 'PORTAL_SYNC_RATE'),
    patientWritesPerHour: env.PATIENT_WRITES_PER_HOUR === undefined ? undefined : wholeNumberOf('PATIENT_WRITES_PER_HOUR', env.PATIENT_WRITES_PER_HOUR),
    ...overrides,
  };
  assertSafeToListen(config);
  return config;
}

/** An on/off variable: unset or "0" is off, "1" is on; anything else is a mistake worth stopping for. */
function readSwitch(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name];
  if (value === undefined || value === '' || value === '0') {
    return false;
  }
  if (value === '1') {
    return true;
  }
  throw new ConfigError(`${name} must be 1 (on) or 0 (off), not "${value}".`);
}

function logLevelOf(text: string | undefined): LogLevel | undefined {
  if (text === undefined || text === '') {
    return undefined;
  }
  if (!(LOG_LEVELS as readonly string[]).includes(text)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${text}".`);
  }
  return text as LogLevel;
}

function wholeNumberOf(name: string, text: string, zero = '0 turns the limit off'): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) {
    throw new ConfigError(`${name} must be a whole number (${zero}), not "${text}".`);
  }
  return value;
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') {
    return true;
  }
  if (isIP(host) === 4) {
    return host.startsWith('127.');
  }
  return host === '::1';
}

/** Patients' passwords must not cross a network in clear text. */
export function assertSafeToListen(config: PortalConfig): void {
  if (config.trustProxy === 'true' || config.trustProxy === '*') {
    throw new ConfigError('TRUST_PROXY must name the proxy (an address, a subnet, or "loopback"), not "true": otherwise any client could fake its address.');
  }
  if ((config.tlsCert && !config.tlsKey) || (!config.tlsCert && config.tlsKey)) {
    throw new ConfigError('Set both TLS_CERT and TLS_KEY, or neither.');
  }
  if (!isLoopbackHost(config.host) && !config.tlsCert) {
    if (!config.plainHttpBehindProxy) {
      throw new ConfigError(
        `Refusing to listen on ${config.host} without TLS: patients' passwords and health data would cross the network in clear text. ` +
          'Set TLS_CERT and TLS_KEY, or keep HOST=127.0.0.1 behind an HTTPS reverse proxy on this machine. ' +
          'Only if the proxy runs on another host and the network between them is yours, set PLAIN_HTTP_BEHIND_PROXY=1 with TRUST_PROXY naming that proxy and PUBLIC_URL its https:// address.',
      );
    }
    if (!config.trustProxy || config.trustProxy === 'loopback') {
      throw new ConfigError('PLAIN_HTTP_BEHIND_PROXY=1 needs TRUST_PROXY set to the address or subnet of the proxy on the other host.');
    }
    if (!config.publicUrl) {
      throw new ConfigError('PLAIN_HTTP_BEHIND_PROXY=1 needs PUBLIC_URL: the https:// address patients reach through the proxy.');
    }
  }
  if (config.plainHttpBehindProxy && (config.tlsCert || isLoopbackHost(config.host))) {
    throw new ConfigError('PLAIN_HTTP_BEHIND_PROXY=1 is only for a non-loopback HOST without TLS_CERT; remove it.');
  }
  if (config.publicUrl !== undefined) {
    assertPublicUrl(config.publicUrl);
  }
}

/** PUBLIC_URL goes into every email link: https, with no user, query or fragment; http only on loopback (a demo). */
export function assertPublicUrl(publicUrl: string): void {
  const example = 'Set PUBLIC_URL to the https:// address patients use, like https://portal.your-clinic.example (http:// only for 127.0.0.1 or localhost).';
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new ConfigError(`PUBLIC_URL "${publicUrl}" is not an address. ${example}`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(host))) {
    throw new ConfigError(`PUBLIC_URL "${publicUrl}" must use https: patients' links and session cookies would otherwise travel in clear text. ${example}`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`PUBLIC_URL "${publicUrl}" must not carry a user name, password, query or fragment. ${example}`);
  }
}

/** The server's HMAC secret: from SECRET, else DATA_DIR/secret (made on first run, mode 0600). */
export function loadSecret(config: PortalConfig): string {
  if (config.secret) {
    if (config.secret.length < 32) {
      throw new ConfigError('SECRET must have at least 32 characters.');
    }
    return config.secret;
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const file = join(config.dataDir, 'secret');
  if (!existsSync(file)) {
    writeFileSync(file, randomToken(48), { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

export function mailDirOf(config: PortalConfig): string {
  return config.mailDir ?? join(config.dataDir, 'mail');
}
