import { execFileSync } from 'node:child_process';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import type { AppStatus } from '../shared/ipc/contract';
import type { TestPortal } from '../test/fixtures/portal';
import { TEST_CLINIC, startTestPortal } from '../test/fixtures/portal';
import { readConsoleConfig } from './consoleConfig';
import { setState } from './replica/syncState';
import type { ConsoleConfig } from './consoleConfig';
import type { PortalHost } from './session/auth';
import { ConsoleHolder } from './consoleHolder';
import { createConsoleCore } from './core';
import { callServer } from './net/serverClient';
import type { FetchLike } from './net/serverClient';
import { offlineAsDomain } from './services/serverConnection';
import type { PinnedCertificate } from './net/serverIdentity';
import { fetchFor } from './net/serverIdentity';
import { UNREACHABLE_URL, mariaForm, startSignedInCore, tempDir } from './testSupport';

/**
 * Issue 16: a desk joins the clinic's server (TLS with a self-signed certificate on 127.0.0.1) with
 * a staff sign-in in the same step — nothing is saved until the sign-in worked there — and then
 * works against the new server at once, through the pin, without a restart.
 */
let certDir: string;
let portal: TestPortal;
let pin: PinnedCertificate;
const admin = { username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword };
const former = { username: 'formerdesk', password: 'Copper-Kettle-Desk-81' };
const receptionist = { username: 'newdesk2fa', password: 'Copper-Kettle-Desk-82' };
const nurse = { username: 'newdesk2fb', password: 'Copper-Kettle-Desk-83' };

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'holder-'));
  const cert = join(certDir, 'desk.crt');
  const key = join(certDir, 'desk.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=front-desk'], { stdio: 'ignore' });
  const pem = readFileSync(cert, 'utf8');
  pin = { fingerprint256: new X509Certificate(pem).fingerprint256, pem };
  portal = await startTestPortal({ config: { tlsCert: cert, tlsKey: key } });
  // The hosting desk's records: a patient, a former staff member, a receptionist who will need a second factor.
  const hosting = await startSignedInCore(portal.url, admin.username, admin.password, { fetch: fetchFor(pin) });
  try {
    await hosting.services.patients.preRegister(mariaForm(), false);
    const gone = await hosting.services.staff.create({ ...former, displayName: 'Former Desk', role: 'receptionist' });
    await hosting.services.staff.setActive(gone.id, false);
    await hosting.services.staff.create({ ...receptionist, displayName: 'New Desk', role: 'receptionist' });
    await hosting.services.staff.create({ ...nurse, displayName: 'Other New Desk', role: 'receptionist' });
    await hosting.engine.syncNow();
    expect((await hosting.engine.status()).pending).toBe(0);
  } finally {
    await hosting.dispose();
  }
});
afterAll(async () => {
  await portal?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

let desk: { holder: ConsoleHolder; dir: { path: string; remove(): void }; statuses: AppStatus[] } | undefined;
afterEach(async () => {
  await desk?.holder.close();
  desk?.dir.remove();
  desk = undefined;
});

/** A fresh desk, held as index.ts holds it; its first server is not reachable (or a hosted one with no clinic yet). */
async function freshDesk(o: { host?: PortalHost; beforeSwitch?: (config: ConsoleConfig) => Promise<void>; failSecondOpen?: boolean } = {}) {
  const dir = tempDir('joining-desk-');
  let opened = 0;
  /** The bodies of the staff sign-ins the cores sent. */
  const signIns: Record<string, unknown>[] = [];
  const watched = (f: FetchLike): FetchLike => (input, init) => {
    if (String(input instanceof Request ? input.url : input).endsWith('/api/staff/sign-in') && typeof init?.body === 'string') {
      signIns.push(JSON.parse(init.body) as Record<string, unknown>);
    }
    return f(input, init);
  };
  const holder = await ConsoleHolder.open({
    open: (server) => (o.failSecondOpen && opened++ > 0 ? Promise.reject(new Error('the data folder is not readable')) : createConsoleCore({ ...server, fetch: watched(server.fetch ?? fetch), dataDir: dir.path, log: () => undefined, sync: { debounceMs: 20, backoffInitialMs: 50, backoffMaxMs: 400 } })),
    first: { serverUrl: UNREACHABLE_URL, deviceName: 'Staff console on test', host: o.host ?? null },
    ...(o.beforeSwitch ? { beforeSwitch: o.beforeSwitch } : {}),
  });
  const statuses: AppStatus[] = [];
  holder.registry.on('app.status', (s) => statuses.push(s));
  readConsoleConfig(dir.path); // the first run's defaults: this desk would host
  desk = { holder, dir, statuses };
  return { ...desk, signIns };
}

const consoleJson = (dir: string): string => (existsSync(join(dir, 'console.json')) ? readFileSync(join(dir, 'console.json'), 'utf8') : '');
const join16 = (credentials: { username: string; password: string; code?: string; trustComputer?: boolean }, deviceName = 'Front desk 2') => ({ address: portal.url, confirmedFingerprint: pin.fingerprint256, deviceName, ...credentials });

/** What the clinic's server knows of the computers named so (seen by an admin from another desk). */
async function devicesNamed(name: string) {
  const adminDesk = await startSignedInCore(portal.url, admin.username, admin.password, { fetch: fetchFor(pin) });
  try {
    return (await adminDesk.services.security.devices()).filter((d) => d.name === name);
  } finally {
    await adminDesk.dispose();
  }
}

/** The clinic turns the second-factor requirement on for everyone (once: the admin then needs one too). */
let everyoneNeedsSecondFactor: Promise<void> | undefined;
const requireSecondFactorForEveryone = (): Promise<void> => (everyoneNeedsSecondFactor ??= turnOnSecondFactorForEveryone());
async function turnOnSecondFactorForEveryone(): Promise<void> {
  const adminDesk = await startSignedInCore(portal.url, admin.username, admin.password, { fetch: fetchFor(pin) });
  try {
    const c = (await adminDesk.services.auth.status()).clinic;
    if (!c) {
      throw new Error('the admin desk knows no clinic');
    }
    const { name, phone, address, timeZone, passwordPolicy, invitationLifetimeDays, appointmentCancelHours, staffTokenLifetimeDays, staffTokenIdleDays, messageRepliers } = c;
    await adminDesk.services.clinic.update({ name, phone, address, timeZone, passwordPolicy, invitationLifetimeDays, appointmentCancelHours, staffTokenLifetimeDays, staffTokenIdleDays, messageRepliers, secondFactorPolicy: 'everyone' });
  } finally {
    await adminDesk.dispose();
  }
}

describe('joining a clinic server with a staff sign-in', () => {
  it('refuses a wrong password and an inactive account in the server\'s words, saving nothing; the right one saves the server and switches to it, signed in', async () => {
    const { holder, dir, statuses } = await freshDesk();
    const before = consoleJson(dir.path);
    const first = holder.current;

    for (const wrong of [{ ...admin, password: 'Not-The-Password-1' }, former]) {
      expect(await holder.registry.invoke('server.connect', join16(wrong))).toMatchObject({
        ok: false,
        error: { code: 'invalid_credentials', message: 'The username or password is not right, or the account is inactive.' },
      });
      expect(consoleJson(dir.path)).toBe(before);
      expect(holder.current).toBe(first);
      expect((await holder.current.session.state()).signedIn).toBe(false);
    }
    // Empty fields: the sign-in's own words, after the name and server checks, and nothing saved.
    expect(await holder.registry.invoke('server.connect', join16({ username: '', password: '' }))).toMatchObject({ ok: false, error: { code: 'validation_failed', fields: { username: 'Enter your username.' } } });
    expect(consoleJson(dir.path)).toBe(before);

    const joined = await holder.registry.invoke('server.connect', join16(admin));
    expect(joined).toMatchObject({ ok: true, value: { mode: 'ready', hostsServer: false, serverUrl: portal.url, staff: { username: admin.username }, clinic: { name: TEST_CLINIC.name } } });
    expect(JSON.parse(consoleJson(dir.path))).toMatchObject({ hostServer: false, serverUrl: portal.url, pinnedCertificate: { fingerprint256: pin.fingerprint256 }, deviceName: 'Front desk 2' });
    // A new core, signed in; the window heard it too.
    expect(holder.current).not.toBe(first);
    expect(statuses.at(-1)).toMatchObject({ mode: 'ready', serverUrl: portal.url });
    // It works against the new server through the pin: the clinic's patient arrives by sync.
    await holder.current.engine.syncNow();
    expect(await holder.registry.invoke('patients.list', { query: '' })).toMatchObject({ ok: true, value: [{ patient: { givenName: 'Maria', familyName: 'Lopez' } }] });
    expect(await holder.registry.invoke('sync.status', undefined)).toMatchObject({ ok: true, value: { online: true } });
    // The server knows this computer by the name given here.
    const devices = await holder.registry.invoke('devices.list', undefined);
    expect(devices).toMatchObject({ ok: true });
    expect((devices as { value: { name: string; thisConsole: boolean }[] }).value.find((d) => d.thisConsole)?.name).toBe('Front desk 2');
  });

  it('never sends another server\'s "trust this computer" token to the joined server', async () => {
    const { holder, signIns } = await freshDesk();
    // What the console kept for the admin on its former server (as it was kept before issue 16's fix: by username only).
    await holder.current.db.write((m) => setState(m, 'trustTokens', { [admin.username.toLowerCase()]: { staffUserId: 'former-server-id', token: 'former-server-trust-token' } }));
    expect(await holder.registry.invoke('server.connect', join16(admin, 'Front desk 5'))).toMatchObject({ ok: true, value: { mode: 'ready' } });
    expect(await holder.registry.invoke('auth.signOut', undefined)).toMatchObject({ ok: true, value: { mode: 'sign-in' } });
    expect(await holder.registry.invoke('auth.signIn', { ...admin })).toMatchObject({ ok: true, value: { mode: 'ready' } });
    expect(signIns.length).toBeGreaterThan(0);
    expect(signIns.map((b) => b.trustToken)).not.toContain('former-server-trust-token');
  });

  it('a switch that fails after the sign-in revokes that sign-in on the new server and answers every later request with a clear "restart" error', async () => {
    const { holder, dir } = await freshDesk({ failSecondOpen: true });
    const failed = await holder.registry.invoke('server.connect', join16(admin, 'Front desk 3'));
    expect(failed).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('restart the console') } });
    // console.json names the new server: the next start opens it.
    expect(readConsoleConfig(dir.path)).toMatchObject({ hostServer: false, serverUrl: portal.url });
    // The token made for the switch is kept nowhere: the server no longer takes it.
    const devices = await devicesNamed('Front desk 3');
    expect(devices).toHaveLength(1);
    expect(devices[0]?.revokedAt).not.toBeNull();
    // Not the closed core's generic error: the same clear sentence, for any request.
    for (const [channel, args] of [['app.status', undefined], ['patients.list', { query: '' }]] as const) {
      expect(await holder.registry.invoke(channel, args)).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('restart the console') } });
    }
  });

  it('a first-run desk that would host (no clinic set up there yet) stops hosting and joins', async () => {
    const unused = () => Promise.reject(new Error('unused'));
    const left: ConsoleConfig[] = [];
    const { holder } = await freshDesk({
      host: { url: UNREACHABLE_URL, isSetUp: () => Promise.resolve(false), setupClinic: unused, setupEnrolment: unused },
      beforeSwitch: async (config) => void left.push(config),
    });
    expect(await holder.registry.invoke('app.status', undefined)).toMatchObject({ ok: true, value: { mode: 'setup', hostsServer: true } });
    expect(await holder.registry.invoke('server.connect', join16(admin))).toMatchObject({ ok: true, value: { mode: 'ready', hostsServer: false, serverUrl: portal.url } });
    expect(left).toMatchObject([{ hostServer: false, serverUrl: portal.url }]);
  });

  it('asks for the second factor the new server\'s clinic requires, sets it up there, and joins with the code', async () => {
    await requireSecondFactorForEveryone();
    const { holder, dir } = await freshDesk();
    const before = consoleJson(dir.path);
    expect(await holder.registry.invoke('server.connect', join16(receptionist))).toMatchObject({ ok: false, error: { code: 'second_factor_enrolment_required' } });
    expect(consoleJson(dir.path)).toBe(before);
    const enrolment = await holder.registry.invoke('server.enrolmentAtSignIn', { ...join16(receptionist) });
    expect(enrolment).toMatchObject({ ok: true });
    const secret = (enrolment as { value: { secret: string } }).value.secret;
    expect(await holder.registry.invoke('server.connect', join16({ ...receptionist, code: '000000' }))).toMatchObject({ ok: false });
    expect(consoleJson(dir.path)).toBe(before);

    const joined = await holder.registry.invoke('server.connect', join16({ ...receptionist, code: await generate({ secret }), trustComputer: true }));
    expect(joined).toMatchObject({ ok: true, value: { mode: 'ready', staff: { username: receptionist.username } } });
    expect((joined as { value: AppStatus }).value.recoveryCodes).toHaveLength(10);
    expect(readConsoleConfig(dir.path)).toMatchObject({ hostServer: false, serverUrl: portal.url });
    // "Trust this computer" was kept for the new server once it was in use: the next sign-in asks no code.
    expect(await holder.registry.invoke('auth.signOut', undefined)).toMatchObject({ ok: true, value: { mode: 'sign-in' } });
    expect(await holder.registry.invoke('auth.signIn', { ...receptionist })).toMatchObject({ ok: true, value: { mode: 'ready', staff: { username: receptionist.username } } });
  });

  it('a join that fails after a second factor was set up on the new server still gives its recovery codes, once', async () => {
    await requireSecondFactorForEveryone();
    const { holder } = await freshDesk({ failSecondOpen: true });
    const enrolment = await holder.registry.invoke('server.enrolmentAtSignIn', { ...join16(nurse, 'Front desk 4') });
    const secret = (enrolment as { value: { secret: string } }).value.secret;
    const failed = await holder.registry.invoke('server.connect', join16({ ...nurse, code: await generate({ secret }) }, 'Front desk 4'));
    expect(failed).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('write down the recovery codes') } });
    const codes = (failed as { error: { recoveryCodes?: string[] } }).error.recoveryCodes;
    expect(codes).toHaveLength(10);
    // Later requests get the restart sentence, without the codes again.
    expect(await holder.registry.invoke('app.status', undefined)).toMatchObject({ ok: false, error: { message: expect.stringContaining('restart the console') } });
    expect((await holder.registry.invoke('app.status', undefined) as { error: { recoveryCodes?: string[] } }).error.recoveryCodes).toBeUndefined();
  });

  it('a certificate that is not the one just confirmed, at the sign-in step, is said so (not "stopped answering")', async () => {
    const other = join(certDir, 'other');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${other}.key`, '-out', `${other}.crt`, '-days', '2', '-subj', '/CN=front-desk'], { stdio: 'ignore' });
    const impostor = createHttpsServer({ cert: readFileSync(`${other}.crt`), key: readFileSync(`${other}.key`) }, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
      const signIn = callServer(fetchFor(pin), url, { method: 'POST', path: '/api/staff/sign-in', body: { ...admin } });
      await expect(offlineAsDomain(signIn)).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringContaining('certificate is not the one confirmed') });
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
    }
  });
});
