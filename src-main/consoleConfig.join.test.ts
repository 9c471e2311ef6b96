import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPortal } from '../test/fixtures/portal';
import { TEST_CLINIC, startTestPortal } from '../test/fixtures/portal';
import { connectToClinicServer, readConsoleConfig } from './consoleConfig';
import { ServerCheckError } from './net/serverIdentity';

let dir: string;
let portal: TestPortal;
let fingerprint: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'join-'));
  const cert = join(dir, 'desk.crt');
  const key = join(dir, 'desk.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=front-desk'], { stdio: 'ignore' });
  fingerprint = new X509Certificate(readFileSync(cert)).fingerprint256;
  portal = await startTestPortal({ config: { tlsCert: cert, tlsKey: key } });
});
afterAll(async () => {
  await portal?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('connectToClinicServer', () => {
  it('saves nothing on a refusal, then saves the server, the pin and the clinic once the fingerprint is confirmed', async () => {
    const userData = mkdtempSync(join(tmpdir(), 'desk-'));
    readConsoleConfig(userData); // first run: the defaults (this desk hosts)
    const before = readFileSync(join(userData, 'console.json'), 'utf8');
    expect(before).toContain('"hostServer": true');
    for (const attempt of [
      () => connectToClinicServer(userData, 'http://192.168.1.20:3000'),
      () => connectToClinicServer(userData, portal.url),
      () => connectToClinicServer(userData, portal.url, { confirmedFingerprint: '00:11' }),
    ]) {
      await expect(attempt()).rejects.toBeInstanceOf(ServerCheckError);
      expect(readFileSync(join(userData, 'console.json'), 'utf8')).toBe(before);
    }
    const joined = await connectToClinicServer(userData, portal.url, { confirmedFingerprint: fingerprint });
    expect(joined.clinicName).toBe(TEST_CLINIC.name);
    expect(readConsoleConfig(userData)).toMatchObject({ hostServer: false, serverUrl: portal.url, clinicId: joined.clinicId, pinnedCertificate: { fingerprint256: fingerprint } });

    // Re-connecting keeps the pin and the clinic; a refusal changes nothing.
    await expect(connectToClinicServer(userData, portal.url, { reconnect: true })).resolves.toMatchObject({ clinicId: joined.clinicId });
    const saved = readFileSync(join(userData, 'console.json'), 'utf8');
    await expect(connectToClinicServer(userData, 'https://127.0.0.1:1', { reconnect: true, timeoutMs: 3000 })).rejects.toMatchObject({ code: 'unreachable' });
    expect(readFileSync(join(userData, 'console.json'), 'utf8')).toBe(saved);
    rmSync(userData, { recursive: true, force: true });
  });
});
