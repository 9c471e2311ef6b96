import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkServer, parseServerAddress } from './net/serverIdentity';
import type { CheckServerOptions, PinnedCertificate, ServerCheck } from './net/serverIdentity';

/** userData/console.json: whether this console hosts the portal server, and where the server is. */
export interface ConsoleConfig {
  /** Single-PC clinic: start the portal server in this process. */
  hostServer: boolean;
  /** Port of the hosted server (loopback only unless the clinic sets it up with TLS). */
  port: number;
  /** The clinic server this console syncs with when it does not host it. */
  serverUrl: string;
  /** The address patients use, printed in invitation emails (hosted server only). */
  publicUrl?: string;
  /**
   * Where the hosted server listens; loopback by default. Any other address needs TLS_CERT/TLS_KEY
   * (or TRUST_PROXY with PLAIN_HTTP_BEHIND_PROXY=1) in the environment, or the server refuses to start.
   */
  host?: string;
  /** The hosting desk's self-signed certificate this desk confirmed when it joined (issue 16): only it is accepted. */
  pinnedCertificate?: PinnedCertificate;
  /** The clinic this desk joined: a server of another clinic is refused when re-connecting. */
  clinicId?: string;
  /** This computer's name, given when it joined ("Front desk 2"): administrators see it on Devices. */
  deviceName?: string;
}

/** A computer's name as a person types it: 1–60 characters, no control characters. */
export function deviceNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') {
    return 'Give this computer a name, for example "Front desk 2".';
  }
  if (trimmed.length > 60 || [...trimmed].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127)) {
    return 'Use up to 60 letters, digits, spaces and punctuation.';
  }
  return null;
}

export const DEFAULT_CONSOLE_CONFIG: ConsoleConfig = { hostServer: true, port: 3000, serverUrl: 'http://127.0.0.1:3000' };

export class ConsoleConfigError extends Error {}

/** Reads the config, writing the defaults on first run. A broken file is an error that names the file. */
export function readConsoleConfig(userDataDir: string): ConsoleConfig {
  const file = join(userDataDir, 'console.json');
  if (!existsSync(file)) {
    mkdirSync(userDataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(DEFAULT_CONSOLE_CONFIG, null, 2)}\n`, { mode: 0o600 });
    return { ...DEFAULT_CONSOLE_CONFIG };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ConsoleConfigError(`${file} is not valid JSON. Fix it or delete it to start again with the defaults.`);
  }
  const c = { ...DEFAULT_CONSOLE_CONFIG, ...(typeof raw === 'object' && raw !== null ? raw : {}) } as Record<string, unknown>;
  if (typeof c.hostServer !== 'boolean') {
    throw new ConsoleConfigError(`In ${file}, "hostServer" must be true or false.`);
  }
  if (typeof c.port !== 'number' || !Number.isInteger(c.port) || c.port < 0 || c.port > 65535) {
    throw new ConsoleConfigError(`In ${file}, "port" must be a number from 0 to 65535.`);
  }
  if (typeof c.serverUrl !== 'string' || !isHttpUrl(c.serverUrl)) {
    throw new ConsoleConfigError(`In ${file}, "serverUrl" must be an address like https://portal.example-clinic.org.`);
  }
  if (c.publicUrl !== undefined && (typeof c.publicUrl !== 'string' || !isHttpUrl(c.publicUrl))) {
    throw new ConsoleConfigError(`In ${file}, "publicUrl" must be an address like https://portal.example-clinic.org.`);
  }
  if (c.host !== undefined && (typeof c.host !== 'string' || c.host.trim() === '')) {
    throw new ConsoleConfigError(`In ${file}, "host" must be an address such as 127.0.0.1.`);
  }
  const pin = c.pinnedCertificate as Partial<PinnedCertificate> | undefined;
  if (pin !== undefined && (typeof pin !== 'object' || pin === null || typeof pin.fingerprint256 !== 'string' || typeof pin.pem !== 'string')) {
    throw new ConsoleConfigError(`In ${file}, "pinnedCertificate" is damaged. Connect this computer to the clinic's server again.`);
  }
  if (c.deviceName !== undefined && (typeof c.deviceName !== 'string' || deviceNameProblem(c.deviceName) !== null)) {
    throw new ConsoleConfigError(`In ${file}, "deviceName" must be a name of up to 60 characters.`);
  }
  if (c.clinicId !== undefined && typeof c.clinicId !== 'string') {
    throw new ConsoleConfigError(`In ${file}, "clinicId" is damaged. Connect this computer to the clinic's server again.`);
  }
  return {
    hostServer: c.hostServer,
    port: c.port,
    serverUrl: c.serverUrl.replace(/(?<!\/)\/+$/, ''),
    ...(c.publicUrl ? { publicUrl: c.publicUrl } : {}),
    ...(c.host ? { host: c.host } : {}),
    ...(pin ? { pinnedCertificate: { fingerprint256: pin.fingerprint256 as string, pem: pin.pem as string } } : {}),
    ...(typeof c.clinicId === 'string' ? { clinicId: c.clinicId } : {}),
    ...(typeof c.deviceName === 'string' ? { deviceName: c.deviceName.trim() } : {}),
  };
}

/** Writes console.json whole (a temporary file renamed over it), so a crash never leaves half a file. */
export function writeConsoleConfig(userDataDir: string, config: ConsoleConfig): void {
  mkdirSync(userDataDir, { recursive: true });
  const file = join(userDataDir, 'console.json');
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/**
 * "Connect to our clinic's server" (issue 16): checks the server (address, reachable, certificate
 * confirmed or pinned, same clinic when re-connecting, same protocol), then `beforeSave` (the
 * staff sign-in on that server), and only then saves it as this desk's server, no longer hosting.
 * Any refusal throws (ServerCheckError, or what `beforeSave` threw) and leaves console.json as it was.
 */
export async function connectToClinicServer(
  userDataDir: string,
  address: string,
  o: Pick<CheckServerOptions, 'confirmedFingerprint' | 'timeoutMs'> & {
    reconnect?: boolean;
    deviceName?: string;
    /** The last check, against the server just checked and over its pin; a throw saves nothing. */
    beforeSave?: (check: ServerCheck, next: ConsoleConfig) => Promise<void>;
  } = {},
): Promise<ServerCheck> {
  // Read without writing the first run's defaults: a refusal leaves no file behind either.
  const current = existsSync(join(userDataDir, 'console.json')) ? readConsoleConfig(userDataDir) : { ...DEFAULT_CONSOLE_CONFIG };
  const check = await checkServer(address, {
    confirmedFingerprint: o.confirmedFingerprint ?? null,
    timeoutMs: o.timeoutMs,
    // Re-connecting to the same clinic: the earlier pin still holds at the same address, and the clinic must be the same.
    ...(o.reconnect ? { expectedClinicId: current.clinicId ?? null, pinned: sameAddress(current.serverUrl, address) ? (current.pinnedCertificate ?? null) : null } : {}),
  });
  const next: ConsoleConfig = { hostServer: false, port: current.port, serverUrl: check.url, clinicId: check.clinicId };
  if (check.pin) {
    next.pinnedCertificate = check.pin;
  }
  const name = o.deviceName?.trim() || current.deviceName;
  if (name) {
    next.deviceName = name;
  }
  await o.beforeSave?.(check, next);
  writeConsoleConfig(userDataDir, next);
  return check;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function sameAddress(saved: string, typed: string): boolean {
  try {
    return parseServerAddress(saved).href === parseServerAddress(typed).href;
  } catch {
    return false;
  }
}

/** The pin and clinic saved for this desk, without writing the defaults when there is no file yet. */
export function savedConnection(userDataDir: string): Pick<ConsoleConfig, 'pinnedCertificate' | 'clinicId'> {
  if (!existsSync(join(userDataDir, 'console.json'))) {
    return {};
  }
  const c = readConsoleConfig(userDataDir);
  return { pinnedCertificate: c.pinnedCertificate, clinicId: c.clinicId };
}
