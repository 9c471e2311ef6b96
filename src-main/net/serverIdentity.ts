import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import { Readable } from 'node:stream';
import { isIP } from 'node:net';
import { SYNC_PROTOCOL_VERSION } from '../../shared/sync/protocol';
import type { ServerInfo } from '../../shared/sync/protocol';
import type { FetchLike } from './serverClient';

/**
 * Issue 16: which clinic server a desk talks to, and how it knows it is the same one tomorrow.
 * A certificate a public CA signed for the address is checked the normal way. A hosting desk's
 * self-signed certificate cannot be: the person joining confirms its SHA-256 fingerprint once
 * (read off the hosting desk's screen), and from then on only that certificate is accepted — the
 * pin. Plain http is allowed only to this computer (loopback).
 */

/** A certificate the desk has confirmed: its SHA-256 fingerprint ("AB:CD:…") and the PEM it came from. */
export interface PinnedCertificate {
  fingerprint256: string;
  pem: string;
}

export type ServerCheckFailure =
  | 'bad_address'
  | 'unreachable'
  | 'certificate_changed'
  | 'certificate_unconfirmed'
  | 'other_clinic'
  | 'not_set_up'
  | 'protocol_mismatch'
  | 'not_a_clinic_server';

/** Each refusal says what to do, in the desk's words. */
export class ServerCheckError extends Error {
  constructor(
    readonly code: ServerCheckFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ServerCheckError';
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_NAMES.has(hostname) || (isIP(hostname) === 4 && hostname.startsWith('127.'));
}

/** "portal.clinic.org" → https URL; refuses what is not a web address, and plain http except to this computer. */
export function parseServerAddress(raw: string): URL {
  const typed = raw.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(typed) ? typed : `https://${typed}`);
  } catch {
    throw new ServerCheckError('bad_address', 'That is not a server address. Type it as your administrator gave it, for example https://records.example-clinic.org.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ServerCheckError('bad_address', 'The address must start with https://. Check it with your administrator.');
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ServerCheckError('bad_address', 'The address must start with https:// (plain http is only allowed to this computer). Check it with your administrator.');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ServerCheckError('bad_address', 'The address must not contain a name, password, "?" or "#". Type only the server address.');
  }
  return url;
}

/** What the server presented, seen before anything is sent to it. */
export interface PresentedCertificate {
  fingerprint256: string;
  pem: string;
  /** A public CA vouches for it and it names this address: checked normally, nothing to pin. */
  trusted: boolean;
}

function toPem(cert: PeerCertificate): string {
  const b64 = cert.raw.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** Opens a TLS connection, reads the certificate and closes it: no request is sent. */
export function readPresentedCertificate(url: URL, timeoutMs = 10_000): Promise<PresentedCertificate> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tlsConnect({
      host,
      port: Number(url.port || 443),
      servername: isIP(host) ? undefined : host,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const fail = () => {
      socket.destroy();
      reject(unreachable());
    };
    socket.once('error', fail);
    socket.once('timeout', fail);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      if (!cert?.raw) {
        reject(unreachable());
        return;
      }
      resolve({ fingerprint256: cert.fingerprint256, pem: toPem(cert), trusted: socket.authorized });
    });
  });
}

function unreachable(): ServerCheckError {
  return new ServerCheckError('unreachable', 'The server does not answer at that address. Check the address, that the server computer is on, and that this computer is on the clinic\'s network; then try again.');
}

/**
 * The certificate problem behind a failed pinned request (fetchFor), if that is what it was: the
 * pin did not match, or the server presented a certificate the pin does not vouch for.
 */
export function certificateChangedIn(err: unknown): ServerCheckError | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof ServerCheckError) {
      return e.code === 'certificate_changed' ? e : null;
    }
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || (typeof code === 'string' && /CERT|SELF_SIGNED/.test(code))) {
      return certificateChanged();
    }
  }
  return null;
}

function certificateChanged(): ServerCheckError {
  return new ServerCheckError(
    'certificate_changed',
    'The server\'s certificate is not the one confirmed when this computer joined. Do not continue: ask your administrator whether the server was moved or its certificate replaced, and connect again only if they confirm the new fingerprint.',
  );
}

/** TLS options for a pinned self-signed certificate: trusted as its own authority, and only if its fingerprint matches. */
function pinnedTls(pin: PinnedCertificate) {
  return {
    ca: pin.pem,
    // The pin replaces the host name check: a hosting desk's certificate names the desk, not the
    // address others reach it by. The fingerprint must match exactly.
    checkServerIdentity: (_host: string, cert: PeerCertificate): Error | undefined =>
      cert.fingerprint256 === pin.fingerprint256 ? undefined : certificateChanged(),
  };
}

/**
 * A fetch for the console's server client: a pinned certificate is the only one accepted; without
 * a pin the platform's normal checks apply (global fetch). Supports what serverClient and the event
 * stream use: method, headers, a string body, an abort signal, a streamed response.
 */
export function fetchFor(pin: PinnedCertificate | null, base: FetchLike = fetch): FetchLike {
  if (!pin) {
    return base;
  }
  return ((input: string | URL | Request, init?: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      if (url.protocol !== 'https:') {
        reject(new TypeError('A pinned server is reached over https only.'));
        return;
      }
      const headers = Object.fromEntries(new Headers(init?.headers).entries());
      const req = httpsRequest(url, { method: init?.method ?? 'GET', headers, signal: init?.signal ?? undefined, ...pinnedTls(pin) }, (res) => {
        resolve(toResponse(res));
      });
      req.once('error', (err) => reject(new TypeError('fetch failed', { cause: err })));
      req.end(typeof init?.body === 'string' ? init.body : undefined);
    })) as FetchLike;
}

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) {
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }
  const status = res.statusCode ?? 500;
  const body = status === 204 || status === 304 ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  return new Response(body, { status, headers });
}

function getJson(url: URL, pin: PinnedCertificate | null, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const options = { method: 'GET', headers: { accept: 'application/json' }, timeout: timeoutMs };
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = null;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', () => reject(unreachable()));
    };
    const req = url.protocol === 'http:' ? httpRequest(url, options, onResponse) : httpsRequest(url, { ...options, ...(pin ? pinnedTls(pin) : {}) }, onResponse);
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', (err) => reject(err instanceof ServerCheckError ? err : (err as { code?: string }).code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /certificate/i.test(err.message) ? certificateChanged() : unreachable()));
    req.end();
  });
}

export interface ServerCheck {
  url: string;
  clinicId: string;
  clinicName: string;
  /** The self-signed certificate to pin (the desk must confirm its fingerprint); null for http to this computer or a publicly trusted certificate. */
  pin: PinnedCertificate | null;
}

export interface CheckServerOptions {
  /** The pin confirmed earlier (re-connecting / Test connection): any other certificate is refused. */
  pinned?: PinnedCertificate | null;
  /** The clinic this console belongs to (re-connecting): a server of another clinic is refused. */
  expectedClinicId?: string | null;
  /** First join only: the fingerprint the person confirmed on screen; until then a self-signed certificate is not trusted. */
  confirmedFingerprint?: string | null;
  timeoutMs?: number;
}

/**
 * Everything a desk checks before it saves a server: the address, that it answers, its
 * certificate (trusted, or pinned, or the one the person confirmed), that it is a clinic server
 * set up for a clinic (the same clinic when re-connecting), speaking this console's protocol.
 * Throws ServerCheckError with the sentence to show; saves nothing.
 */
export async function checkServer(rawAddress: string, o: CheckServerOptions = {}): Promise<ServerCheck> {
  const url = parseServerAddress(rawAddress);
  const timeoutMs = o.timeoutMs ?? 10_000;
  let pin: PinnedCertificate | null = null;
  if (url.protocol === 'https:') {
    const presented = await readPresentedCertificate(url, timeoutMs);
    if (o.pinned) {
      if (presented.fingerprint256 !== o.pinned.fingerprint256) {
        throw certificateChanged();
      }
      pin = o.pinned;
    } else if (!presented.trusted) {
      if (!o.confirmedFingerprint) {
        throw Object.assign(
          new ServerCheckError('certificate_unconfirmed', 'This server uses its own certificate. Compare the fingerprint below with the one shown on the server computer, and confirm it only if they match.'),
          { presented },
        );
      }
      if (normaliseFingerprint(o.confirmedFingerprint) !== presented.fingerprint256) {
        throw certificateChanged();
      }
      pin = { fingerprint256: presented.fingerprint256, pem: presented.pem };
    }
  }
  const base = url.origin + (url.pathname === '/' ? '' : url.pathname.replace(/\/$/, ''));
  const { status, body } = await getJson(new URL(`${base}/api/sync/server-info`), pin, timeoutMs);
  if (status !== 200 || !isServerInfo(body)) {
    throw new ServerCheckError('not_a_clinic_server', 'Something answers at that address, but it is not a clinic records server. Check the address with your administrator.');
  }
  if (body.protocolVersion !== SYNC_PROTOCOL_VERSION) {
    throw new ServerCheckError(
      'protocol_mismatch',
      body.protocolVersion < SYNC_PROTOCOL_VERSION
        ? 'The clinic\'s server is older than this console. Ask your administrator to update the server, then connect again.'
        : 'This console is older than the clinic\'s server. Update this console, then connect again.',
    );
  }
  if (body.clinicId === null || body.clinicName === null) {
    throw new ServerCheckError('not_set_up', 'That server has no clinic set up yet. Set it up on the computer that keeps the clinic\'s records first.');
  }
  if (o.expectedClinicId && body.clinicId !== o.expectedClinicId) {
    throw new ServerCheckError('other_clinic', `That server keeps the records of another clinic (${body.clinicName}). Check the address with your administrator.`);
  }
  return { url: base, clinicId: body.clinicId, clinicName: body.clinicName, pin };
}

/** "ab:cd…" or "abcd…" as typed or pasted → "AB:CD:…", the form Node reports. */
export function normaliseFingerprint(typed: string): string {
  const hex = typed.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

function isServerInfo(v: unknown): v is ServerInfo {
  if (typeof v !== 'object' || v === null) {
    return false;
  }
  const o = v as Record<string, unknown>;
  return typeof o.protocolVersion === 'number' && (o.clinicId === null || typeof o.clinicId === 'string') && (o.clinicName === null || typeof o.clinicName === 'string');
}
