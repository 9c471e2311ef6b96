import { generate } from 'otplib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../shared/api/errors';
import { TEST_CLINIC, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import { getState, setState } from '../replica/syncState';
import { UNREACHABLE_URL, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';
import { portable } from '../../test/fixtures/sql';

let portal: TestPortal;
let core: TestCore;

const admin = { username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword };

afterEach(async () => {
  await core.dispose();
  await portal.stop();
});

describe('a console that hosts the portal server', () => {
  beforeEach(async () => {
    portal = await startTestPortal({ setUp: false });
    core = await startTestCore({ serverUrl: portal.url, host: portal.handle });
  });

  /** First run sets up the first admin's authenticator app: the code from the secret shown. */
  const setUpClinic = async (): Promise<{ secret: string; status: Awaited<ReturnType<typeof core.services.auth.createClinic>> }> => {
    const enrolment = await core.services.auth.setupEnrolment(TEST_CLINIC);
    expect(enrolment.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    const status = await core.services.auth.createClinic({ ...TEST_CLINIC, code: await generate({ secret: enrolment.secret }) });
    return { secret: enrolment.secret, status };
  };

  it("goes from setup (with the first admin's second factor) to sign-in to ready and back to sign-in", async () => {
    expect(await core.services.auth.status()).toEqual({ mode: 'setup', hostsServer: true, serverUrl: portal.url, clinic: null, staff: null, locked: false, idleLockSeconds: 600 });
    const { secret, status: afterSetup } = await setUpClinic();
    expect(afterSetup.mode).toBe('sign-in');
    expect(afterSetup.recoveryCodes).toHaveLength(10);
    expect(await portal.handle.isSetUp()).toBe(true);

    expect(((await core.services.auth.signIn(admin).catch((e: unknown) => e)) as DomainError).code).toBe('second_factor_required');
    // The setup used this step's code: the next step's is the first one sign-in accepts.
    const ready = await core.services.auth.signIn({ ...admin, code: await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }) });
    expect(ready).toMatchObject({ mode: 'ready', staff: { username: 'admin1', role: 'admin' }, clinic: { name: TEST_CLINIC.name, timeZone: 'America/Chicago', secondFactorPolicy: 'admins' } });
    expect(core.engine.isRunning).toBe(true);

    const out = await core.services.auth.signOut();
    expect(out).toMatchObject({ mode: 'sign-in', staff: null, clinic: { name: TEST_CLINIC.name } });
    expect(core.engine.isRunning).toBe(false);
  });

  it('refuses an invalid setup form with field messages and creates nothing', async () => {
    const err = (await core.services.auth.createClinic({ ...TEST_CLINIC, timeZone: 'Mars/Olympus', adminPassword: 'short' }).catch((e: unknown) => e)) as DomainError;
    expect(err.code).toBe('validation_failed');
    expect(Object.keys(err.fields ?? {}).sort()).toEqual(['adminPassword', 'timeZone']);
    expect(await portal.handle.isSetUp()).toBe(false);
  });

  it('refuses a setup without the authenticator code, or with a wrong one, and creates nothing', async () => {
    const missing = (await core.services.auth.createClinic(TEST_CLINIC).catch((e: unknown) => e)) as DomainError;
    expect(missing.code).toBe('validation_failed');
    expect(missing.fields?.code).toBeTruthy();
    const enrolment = await core.services.auth.setupEnrolment(TEST_CLINIC);
    const right = await generate({ secret: enrolment.secret });
    const wrong = (await core.services.auth.createClinic({ ...TEST_CLINIC, code: right === '000000' ? '111111' : '000000' }).catch((e: unknown) => e)) as DomainError;
    expect(wrong.code).toBe('validation_failed');
    expect(await portal.handle.isSetUp()).toBe(false);
  });

  it('refuses a second setup', async () => {
    await setUpClinic();
    const err = (await core.services.auth.createClinic(TEST_CLINIC).catch((e: unknown) => e)) as DomainError;
    expect(err.code).toBe('already_set_up');
  });
});

describe('signing in to a clinic server', () => {
  beforeEach(async () => {
    portal = await startTestPortal();
    core = await startTestCore({ serverUrl: portal.url });
  });

  it("names this console's client id, so the server binds the new token to it before any push", async () => {
    await core.services.auth.signIn(admin);
    const clientId = await core.db.read((m) => getState(m, 'clientId'));
    const deviceId = await core.db.read((m) => getState(m, 'deviceId'));
    const bound = await portal.handle.context.db.read((m) => m.query(portable(portal.handle.context.db.engine, `SELECT "clientId", "boundBy" FROM "client_binding" WHERE "deviceId" = ?`), [deviceId]));
    expect(bound).toEqual([{ clientId, boundBy: 'sign_in' }]);
  });

  it('keeps the device token only in the 0600 secrets file and forgets it on sign-out', async () => {
    const { token } = await (async () => {
      await core.services.auth.signIn(admin);
      return { token: await core.session.token() };
    })();
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const secretsFile = join(core.dataDir, 'secrets.json');
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(secretsFile, 'utf8')).toContain(token);
    // The replica holds patient data: only this OS account may read it.
    expect(statSync(join(core.dataDir, 'console.sqlite')).mode & 0o777).toBe(0o600);
    const replica = readFileSync(join(core.dataDir, 'console.sqlite'));
    expect(replica.includes(Buffer.from(token ?? 'x'))).toBe(false);

    await core.services.auth.signOut();
    expect(readFileSync(secretsFile, 'utf8')).not.toContain(token);
    // The server revoked the device: the old token no longer works.
    const res = await fetch(`${portal.url}/api/staff/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });

  it('stays signed in across a restart of the console', async () => {
    await core.services.auth.signIn(admin);
    await core.close();
    const again = await startTestCore({ serverUrl: portal.url, dataDir: core.dataDir });
    try {
      expect((await again.services.auth.status()).mode).toBe('ready');
      expect(again.engine.isRunning).toBe(true);
    } finally {
      await again.close();
    }
    core = await startTestCore({ serverUrl: portal.url });
  });

  it('drops the replica and its unsent changes when the server now serves another clinic', async () => {
    await core.services.auth.signIn(admin);
    await core.services.patients.preRegister({ givenName: 'Old', familyName: 'Clinic', dateOfBirth: '01/02/1970', email: 'old@example.com', phone: '' }, true);
    await core.engine.syncNow();
    await core.engine.stop();
    await core.services.patients.preRegister({ givenName: 'Unsent', familyName: 'Change', dateOfBirth: '01/02/1971', email: 'unsent@example.com', phone: '' }, true);
    // A notice about the old server's restore must not follow the console to the new one.
    await core.db.write((m) => setState(m, 'resendGap', { count: 2, upTo: '2026-01-01T00:00:00.000Z', at: new Date().toISOString() }));
    // The clinic's server is reinstalled from scratch at the same address.
    const port = portal.handle.port;
    await portal.stop();
    portal = await startTestPortal({ config: { port } });
    const status = await core.services.auth.signIn(admin);
    expect(status.mode).toBe('ready');
    expect(await core.services.patients.list('')).toEqual([]);
    expect(await core.db.read((m) => getState(m, 'resendGap'))).toBeNull();
    const sync = await core.engine.syncNow();
    expect(sync).toMatchObject({ pending: 0, rejected: [], lastError: null });
    expect(await core.services.patients.list('')).toEqual([]);
  });

  it('passes on the server’s refusal of a wrong password', async () => {
    const err = (await core.services.auth.signIn({ ...admin, password: 'Wrong1234' }).catch((e: unknown) => e)) as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe('invalid_credentials');
    expect((await core.services.auth.status()).mode).toBe('sign-in');
    expect(existsSync(join(core.dataDir, 'secrets.json'))).toBe(false);
  });

  it('asks for both fields before calling the server', async () => {
    const err = (await core.services.auth.signIn({ username: ' ', password: '' }).catch((e: unknown) => e)) as DomainError;
    expect(err.code).toBe('validation_failed');
    expect(Object.keys(err.fields ?? {}).sort()).toEqual(['password', 'username']);
  });

  it('says the server is not reachable when it is not', async () => {
    const offline = await startTestCore({ serverUrl: UNREACHABLE_URL });
    try {
      const err = (await offline.services.auth.signIn(admin).catch((e: unknown) => e)) as DomainError;
      expect(err.code).toBe('offline');
      expect(err.message).toBe('The clinic server is not reachable. Check the connection and try again.');
    } finally {
      await offline.dispose();
    }
  });

  it('does not offer clinic setup when the server is elsewhere', async () => {
    expect(await core.services.auth.status()).toMatchObject({ mode: 'sign-in', hostsServer: false });
    const err = (await core.services.auth.createClinic(TEST_CLINIC).catch((e: unknown) => e)) as DomainError;
    expect(err.code).toBe('forbidden');
  });
});
