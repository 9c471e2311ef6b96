import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
  return {
    hostServer: c.hostServer,
    port: c.port,
    serverUrl: c.serverUrl.replace(/(?<!\/)\/+$/, ''),
    ...(c.publicUrl ? { publicUrl: c.publicUrl } : {}),
    ...(c.host ? { host: c.host } : {}),
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
