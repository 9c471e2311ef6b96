import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPortal } from '../../test/fixtures/portal';
import { TEST_CLINIC, startTestPortal } from '../../test/fixtures/portal';
import { callServer } from './serverClient';
import { ServerCheckError, checkServer, fetchFor, parseServerAddress } from './serverIdentity';
import type { PinnedCertificate, PresentedCertificate } from './serverIdentity';

/** A self-signed certificate as a hosting desk makes one (openssl here; the desk uses the selfsigned package). */
function makeCertificate(dir: string, name: string): { cert: string; key: string; fingerprint256: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`], { stdio: 'ignore' });
  return { cert, key, fingerprint256: new X509Certificate(readFileSync(cert)).fingerprint256 };
}

async function refusal(p: Promise<unknown>): Promise<ServerCheckError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ServerCheckError);
  return err as ServerCheckError;
}

let dir: string;
let first: ReturnType<typeof makeCertificate>;
let second: ReturnType<typeof makeCertificate>;
let portal: TestPortal;
let closedPort: number;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinning-'));
  first = makeCertificate(dir, 'front-desk');
  second = makeCertificate(dir, 'impostor');
  portal = await startTestPortal({ config: { tlsCert: first.cert, tlsKey: first.key } });
  const probe = createNetServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(async () => {
  await portal?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('joining a clinic server over TLS with a self-signed certificate (real portal on 127.0.0.1)', () => {
  let pin: PinnedCertificate;

  it('shows the certificate\'s fingerprint for confirmation and trusts nothing before that', async () => {
    expect(portal.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const err = await refusal(checkServer(portal.url));
    expect(err.code).toBe('certificate_unconfirmed');
    expect((err as ServerCheckError & { presented: PresentedCertificate }).presented.fingerprint256).toBe(first.fingerprint256);
  });

  it('a confirmed fingerprint that is not the server\'s is refused', async () => {
    const err = await refusal(checkServer(portal.url, { confirmedFingerprint: second.fingerprint256 }));
    expect(err.code).toBe('certificate_changed');
  });

  it('the confirmed fingerprint (typed in lower case, without colons) is pinned, and the clinic is named', async () => {
    const check = await checkServer(portal.url, { confirmedFingerprint: first.fingerprint256.replace(/:/g, '').toLowerCase() });
    expect(check).toMatchObject({ clinicName: TEST_CLINIC.name, url: portal.url, pin: { fingerprint256: first.fingerprint256 } });
    pin = check.pin as PinnedCertificate;
    // The console's server client gets through with the pin…
    const clinic = await callServer<{ name: string }>(fetchFor(pin), portal.url, { method: 'GET', path: '/api/clinic' });
    expect(clinic.name).toBe(TEST_CLINIC.name);
    // …and the platform's normal checks alone refuse the same self-signed certificate.
    await expect(callServer(fetch, portal.url, { method: 'GET', path: '/api/clinic' })).rejects.toThrow(/not reachable/);
    // Re-connecting with the pin and the clinic's id works.
    await expect(checkServer(portal.url, { pinned: pin, expectedClinicId: check.clinicId })).resolves.toMatchObject({ clinicId: check.clinicId });
  });

  it('a server of another clinic is refused when re-connecting', async () => {
    const err = await refusal(checkServer(portal.url, { pinned: pin, expectedClinicId: 'another-clinic' }));
    expect(err.code).toBe('other_clinic');
  });

  it('a changed certificate at the same address is refused, by the check and by every request', async () => {
    const { port } = new URL(portal.url);
    await portal.handle.close();
    const impostor = await startTestPortal({ dataDir: portal.dataDir, config: { port: Number(port), tlsCert: second.cert, tlsKey: second.key } });
    try {
      expect(impostor.url).toBe(portal.url);
      const err = await refusal(checkServer(impostor.url, { pinned: pin }));
      expect(err.code).toBe('certificate_changed');
      await expect(callServer(fetchFor(pin), impostor.url, { method: 'GET', path: '/api/clinic' })).rejects.toThrow(/not reachable/);
    } finally {
      await impostor.handle.close();
    }
    await portal.restart();
  });
});

describe('refusals before anything is saved', () => {
  it('refuses what is not a server address, and plain http except to this computer', () => {
    for (const bad of ['not a url at all', 'ftp://clinic.example.org', 'http://192.168.1.20:3000', 'http://clinic.example.org', 'https://user:pw@clinic.example.org']) {
      expect(() => parseServerAddress(bad), bad).toThrow(ServerCheckError);
    }
    expect(parseServerAddress('http://127.0.0.1:3000').href).toBe('http://127.0.0.1:3000/');
    expect(parseServerAddress('records.example-clinic.org').href).toBe('https://records.example-clinic.org/');
  });

  it('an address where nothing answers is "unreachable"', async () => {
    expect((await refusal(checkServer(`https://127.0.0.1:${closedPort}`, { timeoutMs: 3000 }))).code).toBe('unreachable');
    expect((await refusal(checkServer(`http://127.0.0.1:${closedPort}`, { timeoutMs: 3000 }))).code).toBe('unreachable');
  });

  it('a server speaking another protocol version, or not a clinic server at all, is refused', async () => {
    let answer: unknown = null;
    const server: Server = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      answer = { clinicId: 'c1', clinicName: 'Old Clinic', protocolVersion: 1 };
      const old = await refusal(checkServer(url));
      expect(old.code).toBe('protocol_mismatch');
      expect(old.message).toMatch(/update the server/);
      answer = { hello: 'world' };
      expect((await refusal(checkServer(url))).code).toBe('not_a_clinic_server');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
