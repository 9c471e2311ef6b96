import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { clinicTeam, registerPatient } from '../../test/fixtures/patients';
import type { ClinicTeam, PatientClient } from '../../test/fixtures/patients';
import { waitForMail } from '../../test/fixtures/mail';
import { TEST_CLINIC, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import { getState } from '../replica/syncState';
import { startSignedInCore, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

/** The staff security tools against a real portal server: patient accounts, consoles, the audit log. */
let portal: TestPortal;
let team: ClinicTeam;
let admin: TestCore;
let desk: TestCore;
let patient: PatientClient;

beforeAll(async () => {
  portal = await startTestPortal();
  team = await clinicTeam(portal);
  patient = await registerPatient(portal, team.desk.console, { givenName: 'Maria', familyName: 'Lopez' });
  admin = await startSignedInCore(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  desk = await startSignedInCore(portal.url, 'desk1', 'Staff2Work');
});
afterAll(async () => {
  await desk.dispose();
  await admin.dispose();
  await portal.stop();
});

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as { code: string; message: string; fields?: Record<string, string> });
const patientSignIn = (password: string) =>
  fetch(`${portal.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: patient.username, password }) });

describe('a patient’s portal account, from the front desk', () => {
  it('unlocks an account locked by wrong passwords', async () => {
    for (let i = 0; i < 6; i += 1) {
      await patientSignIn('Wrong1234');
    }
    expect((await patientSignIn('Password1')).status).toBe(429);
    expect(await desk.registry.invoke('patients.unlockPortalAccount', { patientId: patient.patientId })).toEqual({ ok: true, value: undefined });
    expect((await patientSignIn('Password1')).status).toBe(200);
  });

  it('sends a password reset link by email, with no health information in it', async () => {
    const result = await desk.registry.invoke('patients.sendPasswordReset', { patientId: patient.patientId });
    expect(result).toMatchObject({ ok: true, value: { expiresAt: expect.any(String) } });
    await portal.handle.flushMail();
    const mail = await waitForMail(portal.mailDir, patient.email);
    expect(mail.html).toMatch(/reset-password#token=/);
  });

  it('passes on the server’s refusals: a patient without an account, a physician', async () => {
    const unknown = await desk.registry.invoke('patients.unlockPortalAccount', { patientId: randomUUID() });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const doctor = await startSignedInCore(portal.url, 'drpatel', 'Staff2Work');
    try {
      expect(await doctor.registry.invoke('patients.sendPasswordReset', { patientId: patient.patientId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    } finally {
      await doctor.dispose();
    }
  });

  it('says plainly that these need a connection', async () => {
    const restart = await stopPortal();
    try {
      const err = await failure(desk.services.security.unlockPortalAccount(patient.patientId));
      expect(err).toMatchObject({ code: 'offline', message: 'The clinic server is not reachable. Unlocking a portal account or sending a reset link needs a connection.' });
    } finally {
      await restart();
    }
  });
});

describe('signed-in consoles (admins)', () => {
  it('lists consoles with their staff member and marks this one', async () => {
    const devices = await admin.services.security.devices();
    const mine = devices.filter((d) => d.thisConsole);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ staffName: TEST_CLINIC.adminDisplayName, revokedAt: null });
    expect(devices.some((d) => d.staffName === 'Dana Desk' && !d.thisConsole)).toBe(true);
    expect(await desk.registry.invoke('devices.list', undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('revokes a console: its next sync signs it out', async () => {
    const other = await startSignedInCore(portal.url, 'desk1', 'Staff2Work');
    try {
      const otherId = await other.db.read((m) => getState(m, 'deviceId'));
      const target = (await admin.services.security.devices()).find((d) => d.id === otherId);
      expect(target).toMatchObject({ staffName: 'Dana Desk', revokedAt: null, thisConsole: false });
      const revoked = await admin.services.security.revokeDevice(target?.id ?? '');
      expect(revoked.revokedAt).not.toBeNull();
      const status = await other.engine.syncNow();
      expect(status.lastError).toContain('Sign in again');
      expect(await other.services.auth.status()).toMatchObject({ mode: 'sign-in', staff: null });
    } finally {
      await other.dispose();
    }
  });
});

describe('the audit log (admins)', () => {
  it('shows that a physician opened a record, newest first, with names, and pages with "before"', async () => {
    const doctor = await startSignedInCore(portal.url, 'drpatel', 'Staff2Work');
    try {
      await doctor.services.record.get(patient.patientId);
      await doctor.engine.syncNow();
    } finally {
      await doctor.dispose();
    }
    const views = await admin.services.security.searchAudit({ action: 'record.', patientId: patient.patientId });
    expect(views[0]).toMatchObject({ actorKind: 'staff', actorName: 'Dr. Sam Patel', patientId: patient.patientId, patientName: 'Maria Lopez' });

    const all = await admin.services.security.searchAudit({ limit: 3 });
    expect(all).toHaveLength(3);
    expect([...all].sort((a, b) => b.at.localeCompare(a.at)).map((e) => e.id)).toEqual(all.map((e) => e.id));
    const next = await admin.services.security.searchAudit({ limit: 3, before: all[2]?.id });
    expect(next.map((e) => e.id)).not.toContain(all[0]?.id);
    expect((next[0]?.at ?? '') <= (all[2]?.at ?? '')).toBe(true);
  });

  it('names a bad filter before calling the server, and refuses non-admins', async () => {
    const fetchSpy = vi.fn(fetch);
    const local = await startTestCore({ serverUrl: portal.url, fetch: fetchSpy });
    try {
      await local.services.auth.signIn({ username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword });
      await local.engine.stop();
      fetchSpy.mockClear();
      const err = await failure(local.services.security.searchAudit({ actorId: "x' OR 1=1 --", action: 'record view', from: 'yesterday' }));
      expect(err).toMatchObject({ code: 'validation_failed' });
      expect(Object.keys(err?.fields ?? {}).sort()).toEqual(['action', 'actorId', 'from']);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      await local.dispose();
    }
    expect(await desk.registry.invoke('audit.search', { filters: {} })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

async function stopPortal(): Promise<() => Promise<void>> {
  const { port, dataDir } = { port: portal.handle.port, dataDir: portal.dataDir };
  await portal.handle.close();
  return async () => {
    portal = await startTestPortal({ dataDir, config: { port } });
  };
}
