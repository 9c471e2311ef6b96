import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DomainError } from '../../shared/api/errors';
import type { ClinicPublicInfo } from '../../shared/domain/clinic';
import type { ClinicSettingsForm } from '../../shared/validation/clinic';
import { TEST_CLINIC, addStaff, api, signInStaff, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import { TEST_STAFF, signInOffline, startSignedInCore, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

let portal: TestPortal;
const TEST_ADMIN = { ...TEST_STAFF, role: 'admin' as const };
let admin: TestCore;

const settings: ClinicSettingsForm = {
  name: TEST_CLINIC.name,
  phone: TEST_CLINIC.phone,
  address: TEST_CLINIC.address,
  timeZone: TEST_CLINIC.timeZone,
  passwordPolicy: 'default',
  invitationLifetimeDays: 14,
  appointmentCancelHours: 24,
  staffTokenLifetimeDays: 30,
  staffTokenIdleDays: 7,
  messageRepliers: 'physicians_receptionists',
  secondFactorPolicy: 'off',
};

beforeAll(async () => {
  portal = await startTestPortal();
  const token = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  await addStaff(portal.url, token, 'frontdesk', 'receptionist', 'Copper-Kettle-Desk-81');
  admin = await startSignedInCore(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
});
afterAll(async () => {
  await admin.dispose();
  await portal.stop();
});

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as DomainError);

describe('clinic settings from the console (online only)', () => {
  it('saves on the server and shows the saved clinic in the app status at once', async () => {
    const status = await admin.registry.invoke('clinic.update', { ...settings, name: 'Maple Street Family Clinic', timeZone: 'America/Denver', passwordPolicy: 'strong', invitationLifetimeDays: 7, appointmentCancelHours: 48 });
    expect(status).toMatchObject({
      ok: true,
      value: { mode: 'ready', clinic: { name: 'Maple Street Family Clinic', timeZone: 'America/Denver', passwordPolicy: 'strong', invitationLifetimeDays: 7, appointmentCancelHours: 48 } },
    });
    expect((await admin.services.auth.status()).clinic).toMatchObject({ name: 'Maple Street Family Clinic', appointmentCancelHours: 48 });
    const pub = await api<ClinicPublicInfo>(portal.url, '/api/clinic');
    expect(pub.body).toMatchObject({ name: 'Maple Street Family Clinic', timeZone: 'America/Denver', passwordPolicy: 'strong' });
    await admin.services.clinic.update(settings);
  });

  it('sends only the fields changed here, so another admin’s change to a different field stays', async () => {
    const other = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
    await api(portal.url, '/api/staff/clinic', { method: 'PATCH', token: other.token, body: { phone: '(555) 000-1111' } });
    const status = await admin.services.clinic.update({ ...settings, appointmentCancelHours: 12 });
    expect(status.clinic).toMatchObject({ phone: '(555) 000-1111', appointmentCancelHours: 12 });
    await admin.services.clinic.update({ ...settings, phone: TEST_CLINIC.phone });
  });

  it('refuses a receptionist in the console (the server would too) and keeps the old clinic', async () => {
    const desk = await startSignedInCore(portal.url, 'frontdesk', 'Copper-Kettle-Desk-81');
    try {
      const err = await failure(desk.services.clinic.update({ ...settings, name: 'Front Desk Clinic' }));
      expect(err?.code).toBe('forbidden');
      expect(err?.message).toBe('Only a clinic administrator can change the clinic settings.');
      expect((await desk.services.auth.status()).clinic?.name).toBe(TEST_CLINIC.name);
      expect((await api<ClinicPublicInfo>(portal.url, '/api/clinic')).body.name).toBe(TEST_CLINIC.name);
    } finally {
      await desk.dispose();
    }
  });

  it('checks the form with the shared schema before calling the server', async () => {
    const fetchSpy = vi.fn(fetch);
    const local = await startTestCore({ serverUrl: portal.url, fetch: fetchSpy });
    try {
      await signInOffline(local, portal.url, TEST_ADMIN);
      const result = await local.registry.invoke('clinic.update', { ...settings, name: '', invitationLifetimeDays: 120, appointmentCancelHours: -1 });
      expect(result).toEqual({
        ok: false,
        error: {
          code: 'validation_failed',
          message: 'Some fields need attention.',
          fields: {
            name: "Enter the clinic's name.",
            invitationLifetimeDays: 'Enter a whole number of days from 1 to 90.',
            appointmentCancelHours: 'Enter a whole number of hours from 0 to 168.',
          },
        },
      });
      expect(await local.registry.invoke('clinic.update', { ...settings, invitationLifetimeDays: '14' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      await local.dispose();
    }
  });

  it('says clinic settings need a connection when the server is down, and changes nothing locally', async () => {
    const port = portal.handle.port;
    await portal.handle.close();
    try {
      const err = await failure(admin.services.clinic.update({ ...settings, appointmentCancelHours: 2 }));
      expect(err?.code).toBe('offline');
      expect(err?.message).toBe('The clinic server is not reachable. Clinic settings need a connection.');
      expect((await admin.services.auth.status()).clinic?.appointmentCancelHours).toBe(24);
    } finally {
      portal = await startTestPortal({ dataDir: portal.dataDir, config: { port } });
    }
  });
});
