import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TestPortal } from '../test/fixtures/portal';
import { TEST_CLINIC, readConfig, startTestPortal } from '../test/fixtures/portal';
import { ensureHostCertificate, hostCertificateFiles, readHostCertificate } from './hostCertificate';
import { ServerCheckError, checkServer, fetchFor } from './net/serverIdentity';
import type { PinnedCertificate } from './net/serverIdentity';
import { callServer } from './net/serverClient';
import { JOIN_LISTEN_HOST, hostedPortalSettings, portalConfigOf } from './portalSettings';
import { tempDir } from './testSupport';

const dirs: { remove(): void }[] = [];
const portals: TestPortal[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
afterAll(async () => {
  for (const p of portals.splice(0)) {
    await p.stop().catch(() => undefined);
  }
});

function desk(): string {
  const dir = tempDir('host-cert-');
  dirs.push(dir);
  return dir.path;
}

async function refusal(p: Promise<unknown>): Promise<ServerCheckError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ServerCheckError);
  return err as ServerCheckError;
}

/** The hosted portal as a hosting desk that lets desks join starts it (settings → readConfig → server), on 127.0.0.1 port 0. */
async function hostWithOwnCertificate(userData: string, port = 0): Promise<{ portal: TestPortal; pin: PinnedCertificate }> {
  const hosted = await hostedPortalSettings(userData, { letDesksJoin: true, host: '127.0.0.1' });
  const config = portalConfigOf(readConfig, hosted.settings, null, { dataDir: `${userData}/portal`, port });
  const portal = await startTestPortal({ config: { tlsCert: config.tlsCert, tlsKey: config.tlsKey, port } });
  portals.push(portal);
  return { portal, pin: hosted.pin as PinnedCertificate };
}

describe('a hosting desk\'s own certificate (issue 16 item 2)', () => {
  it('is made once in the console\'s data folder, the key readable by this account only, and kept', async () => {
    const userData = desk();
    expect(readHostCertificate(userData)).toBeNull();
    const made = await ensureHostCertificate(userData);
    const files = hostCertificateFiles(userData);
    expect(made).toMatchObject({ certFile: files.certFile, keyFile: files.keyFile });
    expect(statSync(files.keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(files.keyFile, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    const cert = new X509Certificate(readFileSync(files.certFile));
    expect(made.fingerprint256).toBe(cert.fingerprint256);
    expect(made.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(cert.verify(cert.publicKey)).toBe(true); // self-signed
    // Every joining desk pins it: asking again gives the same certificate, not a new one.
    expect((await ensureHostCertificate(userData)).fingerprint256).toBe(made.fingerprint256);
  });

  it('desks may join only when the admin chose it; then the portal gets the certificate and listens on the network', async () => {
    const userData = desk();
    expect(await hostedPortalSettings(userData, {})).toEqual({ settings: {}, pin: null });
    expect(readHostCertificate(userData)).toBeNull();
    const hosted = await hostedPortalSettings(userData, { letDesksJoin: true });
    const files = hostCertificateFiles(userData);
    expect(hosted.settings).toMatchObject({ tlsCert: files.certFile, tlsKey: files.keyFile, host: JOIN_LISTEN_HOST });
    // The server's own rules accept it: a network address with TLS.
    expect(portalConfigOf(readConfig, hosted.settings, null, { dataDir: userData })).toMatchObject({ host: JOIN_LISTEN_HOST, tlsCert: files.certFile });
  });

  it('the real portal serves it over https; a joining desk sees the same fingerprint and its pin gets through; another certificate is refused', async () => {
    const userData = desk();
    const { portal, pin } = await hostWithOwnCertificate(userData);
    expect(portal.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const shown = readHostCertificate(userData)?.fingerprint256;

    // What the joining desk is shown to compare is what the hosting desk shows.
    const unconfirmed = await refusal(checkServer(portal.url));
    expect(unconfirmed.code).toBe('certificate_unconfirmed');
    expect((unconfirmed as ServerCheckError & { presented: { fingerprint256: string } }).presented.fingerprint256).toBe(shown);
    const joined = await checkServer(portal.url, { confirmedFingerprint: shown });
    expect(joined).toMatchObject({ clinicName: TEST_CLINIC.name, pin: { fingerprint256: shown } });
    const joinPin = joined.pin as PinnedCertificate;
    expect((await callServer<{ name: string }>(fetchFor(joinPin), portal.url, { method: 'GET', path: '/api/clinic' })).name).toBe(TEST_CLINIC.name);
    // The hosting desk reaches its own portal with the same pin.
    expect(pin.fingerprint256).toBe(shown);
    expect((await callServer<{ name: string }>(fetchFor(pin), portal.url, { method: 'GET', path: '/api/clinic' })).name).toBe(TEST_CLINIC.name);

    // A second desk's certificate (as if the folder were replaced) at the same address: the pin refuses it.
    const { port } = new URL(portal.url);
    await portal.handle.close();
    const otherDesk = desk();
    const impostor = await hostWithOwnCertificate(otherDesk, Number(port));
    expect(impostor.portal.url).toBe(portal.url);
    expect(impostor.pin.fingerprint256).not.toBe(shown);
    expect((await refusal(checkServer(impostor.portal.url, { pinned: joinPin }))).code).toBe('certificate_changed');
    await expect(callServer(fetchFor(joinPin), impostor.portal.url, { method: 'GET', path: '/api/clinic' })).rejects.toThrow(/not reachable/);
    await impostor.portal.stop();
    await portal.restart(); // so stop() in afterAll closes a running server
  });
});
