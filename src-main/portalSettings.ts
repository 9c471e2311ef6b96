import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from './platform/secretStore';
import { readConsoleConfig, writeConsoleConfig } from './consoleConfig';
import { ensureHostCertificate, hostCertificateFiles } from './hostCertificate';
import type { PinnedCertificate } from './net/serverIdentity';

/**
 * Issue 16 item 4: the hosted portal's settings, kept in the console's settings file (console.json,
 * "portal") with the SMTP password in the protected store — what environment variables did before.
 * They are judged by the portal server's own readConfig (one set of rules), and applied when the
 * hosted portal next starts.
 */
export interface PortalSettings {
  /** The address patients use (PUBLIC_URL). */
  publicUrl?: string;
  /** Where the portal listens (HOST) and its port (PORT). */
  host?: string;
  port?: number;
  /** TLS certificate and key files (TLS_CERT / TLS_KEY). */
  tlsCert?: string;
  tlsKey?: string;
  /** The trusted proxy (TRUST_PROXY) and PLAIN_HTTP_BEHIND_PROXY. */
  trustProxy?: string;
  plainHttpBehindProxy?: boolean;
  /** SMTP_URL without its password, and MAIL_FROM. */
  smtpUrl?: string;
  mailFrom?: string;
  /**
   * Issue 16 item 2: other desks on the clinic's network may join. The portal is served over https
   * with this desk's own certificate (unless TLS files are chosen) on every network address of
   * this computer (unless a listen address is chosen).
   */
  letDesksJoin?: boolean;
}

/** Where the portal listens when desks may join and no listen address is chosen: every network of this computer. */
export const JOIN_LISTEN_HOST = '0.0.0.0';

/** Whether the portal is served with this desk's own certificate: desks may join and no TLS files were chosen. */
function usesOwnCertificate(settings: PortalSettings): boolean {
  return Boolean(settings.letDesksJoin) && !settings.tlsCert && !settings.tlsKey;
}

/** The settings with this desk's own certificate files put in (made or not yet), as the portal will get them. */
function withOwnCertificate(userDataDir: string, settings: PortalSettings): PortalSettings {
  if (!usesOwnCertificate(settings)) {
    return settings;
  }
  const files = hostCertificateFiles(userDataDir);
  return { ...settings, tlsCert: files.certFile, tlsKey: files.keyFile, host: settings.host ?? JOIN_LISTEN_HOST };
}

/**
 * The settings the hosted portal starts with: when desks may join, this desk's own certificate
 * (made on first use) and, unless chosen, every network address. `pin` is set when the portal is
 * served with that certificate: the hosting desk then talks to its own portal over https on
 * loopback and accepts only that certificate, as the joining desks do.
 */
export async function hostedPortalSettings(userDataDir: string, settings: PortalSettings): Promise<{ settings: PortalSettings; pin: PinnedCertificate | null }> {
  if (!usesOwnCertificate(settings)) {
    return { settings, pin: null };
  }
  const cert = await ensureHostCertificate(userDataDir);
  return { settings: withOwnCertificate(userDataDir, settings), pin: cert.pin };
}

/** The hosting desk's own address for its portal: a portal listening on every address is reached on loopback. */
export function ownPortalUrl(portalUrl: string): string {
  const url = new URL(portalUrl);
  if (url.hostname === '0.0.0.0') {
    url.hostname = '127.0.0.1';
  } else if (url.hostname === '[::]') {
    url.hostname = '[::1]';
  }
  return url.origin;
}

export const SMTP_PASSWORD_KEY = 'portal.smtpPassword';

export class PortalSettingsError extends Error {}

/**
 * The portal server's readConfig, handed in by index.ts (only it may import the server): the
 * settings screen refuses exactly what the server would refuse at start.
 */
export type ReadPortalConfig<C> = (env: NodeJS.ProcessEnv, overrides: { dataDir: string } & Record<string, unknown>) => C;

/** The settings as the environment variables readConfig knows; a setting here wins over the process's own. */
export function portalEnvOf(settings: PortalSettings, smtpPassword: string | null, base: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  const put = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') {
      env[name] = value;
    }
  };
  put('PUBLIC_URL', settings.publicUrl);
  put('HOST', settings.host);
  put('PORT', settings.port === undefined ? undefined : String(settings.port));
  put('TLS_CERT', settings.tlsCert);
  put('TLS_KEY', settings.tlsKey);
  put('TRUST_PROXY', settings.trustProxy);
  if (settings.plainHttpBehindProxy !== undefined) {
    env.PLAIN_HTTP_BEHIND_PROXY = settings.plainHttpBehindProxy ? '1' : '0';
  }
  put('SMTP_URL', withPassword(settings.smtpUrl, smtpPassword));
  put('MAIL_FROM', settings.mailFrom);
  return env;
}

function withPassword(smtpUrl: string | undefined, password: string | null): string | undefined {
  if (!smtpUrl) {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new PortalSettingsError('The outgoing mail address must look like smtp://user@mail.example.org:587 or smtps://…');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new PortalSettingsError('The outgoing mail address must start with smtp:// or smtps://.');
  }
  if (url.password) {
    throw new PortalSettingsError('Leave the password out of the outgoing mail address and type it in the password field: it is kept in the protected store.');
  }
  if (password) {
    url.password = encodeURIComponent(password);
  }
  return url.href;
}

/** The portal configuration these settings give, or the server's own refusal (ConfigError / PortalSettingsError). */
export function portalConfigOf<C>(
  readConfig: ReadPortalConfig<C>,
  settings: PortalSettings,
  smtpPassword: string | null,
  overrides: { dataDir: string } & Record<string, unknown>,
  base: NodeJS.ProcessEnv = {},
): C {
  checkChosenFiles(settings);
  return readConfig(portalEnvOf(settings, smtpPassword, base), overrides);
}

function checkChosenFiles(settings: PortalSettings): void {
  for (const [name, file] of [['certificate', settings.tlsCert], ['key', settings.tlsKey]] as const) {
    if (file && !existsSync(file)) {
      throw new PortalSettingsError(`The TLS ${name} file ${file} does not exist. Choose the file again.`);
    }
  }
}

export function readPortalSettings(userDataDir: string): PortalSettings {
  const file = join(userDataDir, 'console.json');
  if (!existsSync(file)) {
    return {};
  }
  const raw = (JSON.parse(readFileSync(file, 'utf8')) as { portal?: unknown }).portal;
  return typeof raw === 'object' && raw !== null ? (raw as PortalSettings) : {};
}

/**
 * Checks the settings with the server's rules first, then saves them (password into the protected
 * store, the rest into console.json). A refusal throws and changes nothing. Applied on restart.
 */
export async function savePortalSettings<C>(
  readConfig: ReadPortalConfig<C>,
  userDataDir: string,
  settings: PortalSettings,
  smtpPassword: string | null,
  secrets: SecretStore,
  o: { clearSmtpPassword?: boolean } = {},
): Promise<void> {
  try {
    checkChosenFiles(settings);
    // Judged as the portal will start: with this desk's own certificate when desks may join.
    readConfig(portalEnvOf(withOwnCertificate(userDataDir, settings), smtpPassword), { dataDir: join(userDataDir, 'portal') });
  } catch (err) {
    // readConfig's refusals (ConfigError) are sentences for the person; shown as they are.
    throw err instanceof PortalSettingsError ? err : new PortalSettingsError(err instanceof Error ? err.message : String(err));
  }
  if (usesOwnCertificate(settings)) {
    // Made now, so the fingerprint can be shown before the console restarts.
    await ensureHostCertificate(userDataDir);
  }
  const current = readConsoleConfig(userDataDir);
  if (smtpPassword) {
    await secrets.set(SMTP_PASSWORD_KEY, smtpPassword);
  } else if (!settings.smtpUrl || o.clearSmtpPassword) {
    await secrets.delete(SMTP_PASSWORD_KEY);
  }
  writeConsoleConfig(userDataDir, { ...current, portal: settings } as typeof current);
}
