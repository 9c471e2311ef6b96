import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { PinnedCertificate } from './net/serverIdentity';

/**
 * Issue 16 item 2: a hosting desk lets the other desks on its network join without buying a
 * certificate. It makes its own (self-signed; Node cannot make X.509 itself, hence the selfsigned
 * package), keeps it in the console's data folder, serves the portal over https with it, and shows
 * its SHA-256 fingerprint so the person at a joining desk can compare it before pinning it.
 *
 * The certificate is made once and kept: every joining desk pins it, so a new one would lock them
 * all out until they confirm it again. That is also why it is valid for ten years.
 */
export interface HostCertificate {
  certFile: string;
  keyFile: string;
  /** "AB:CD:…", the form the joining desk shows (Node's fingerprint256). */
  fingerprint256: string;
  /** What the hosting desk itself pins when it talks to its own portal over https. */
  pin: PinnedCertificate;
}

const VALID_YEARS = 10;

export function hostCertificateFiles(userDataDir: string): { dir: string; certFile: string; keyFile: string } {
  const dir = join(userDataDir, 'tls');
  return { dir, certFile: join(dir, 'desk-certificate.pem'), keyFile: join(dir, 'desk-key.pem') };
}

/** The certificate this desk made earlier, or null (none yet, or a key that is not its pair). */
export function readHostCertificate(userDataDir: string): HostCertificate | null {
  const { certFile, keyFile } = hostCertificateFiles(userDataDir);
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    return null;
  }
  try {
    const pem = readFileSync(certFile, 'utf8');
    const cert = new X509Certificate(pem);
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(keyFile)))) {
      return null;
    }
    return { certFile, keyFile, fingerprint256: cert.fingerprint256, pin: { fingerprint256: cert.fingerprint256, pem } };
  } catch {
    return null;
  }
}

/**
 * The desk's certificate, made on first use. The key is written readable by this account only
 * (0600) and both files are written whole (temporary file, then rename), the key first: a crash
 * leaves either the old pair or a pair readHostCertificate refuses, never a half file.
 */
export async function ensureHostCertificate(userDataDir: string, now: Date = new Date()): Promise<HostCertificate> {
  const existing = readHostCertificate(userDataDir);
  if (existing) {
    return existing;
  }
  const { dir, certFile, keyFile } = hostCertificateFiles(userDataDir);
  const name = hostname() || 'clinic-desk';
  const notAfter = new Date(now);
  notAfter.setFullYear(notAfter.getFullYear() + VALID_YEARS);
  const made = await generate([{ name: 'commonName', value: `Clinic records server on ${name}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: notAfter,
    extensions: [
      // Its own authority, as `openssl req -x509` makes one: the joining desk trusts exactly this certificate.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: /^[a-z0-9.-]+$/i.test(name) ? name : 'clinic-desk' },
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeWhole(keyFile, made.private, 0o600);
  writeWhole(certFile, made.cert, 0o644);
  const saved = readHostCertificate(userDataDir);
  if (!saved) {
    throw new Error(`The certificate made for this computer could not be read back from ${dir}.`);
  }
  return saved;
}

function writeWhole(file: string, text: string, mode: number): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  // The mode given at creation is narrowed by the umask, never widened; set it exactly.
  chmodSync(temp, mode);
  renameSync(temp, file);
}
