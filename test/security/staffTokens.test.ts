import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../shared/api/errors';
import { StaffUserEntity } from '../../shared/node/entities/server';
import { hashPassword } from '../../shared/node/secrets';
import type { HostilePortal } from './helpers';
import { DEMO, Desk, expectRefused, signInStaff, startHostilePortal } from './helpers';
import { getState } from '../../src-main/replica/syncState';
import { mariaForm, startSignedInCore } from '../../src-main/testSupport';

/** Staff device tokens: what ends them (a password reset, their age, idleness). */
let hp: HostilePortal;

beforeAll(async () => {
  hp = await startHostilePortal();
});
afterAll(async () => {
  await hp.stop();
});

const secondConsole = async (who: { username: string; password: string }): Promise<Desk & { signIn: Promise<{ deviceId: string }> }> => {
  const s = await signInStaff(hp.url, who.username, who.password);
  return Object.assign(new Desk(hp.url, s.token, s.staff.id), { signIn: Promise.resolve(s) });
};

describe('an admin resetting their own password', () => {
  it("signs out their other consoles (someone who knew the old password may sit there) and keeps the one they did it from", async () => {
    const elsewhere = await secondConsole(DEMO.admin);
    const here = await secondConsole(DEMO.admin);
    expect((await elsewhere.call('/api/staff/me')).status).toBe(200);

    const reset = await here.call(`/api/staff/users/${here.staffId}/password`, { body: { password: 'Violet-Harbor-Lantern-27' } });
    expect(reset.status).toBe(200);

    expectRefused(await elsewhere.call('/api/staff/me'), 401, 'not_signed_in');
    const staffBefore = await hp.snapshot(['staff_user', 'change_log']);
    expectRefused(await elsewhere.call('/api/staff/users', { body: { username: 'sneaky', displayName: 'Sneaky', role: 'admin', password: 'Sneaky2Go' } }), 401, 'not_signed_in');
    expect(await hp.snapshot(['staff_user', 'change_log'])).toEqual(staffBefore);
    expect((await here.call('/api/staff/me')).status).toBe(200);
    // Put the demo password back for the other cases, as the demo seeds it (it would not pass today's strength check).
    const demoHash = await hashPassword(DEMO.admin.password);
    await hp.db.write((m) => m.update(StaffUserEntity, { id: here.staffId }, { passwordHash: demoHash }));
  });
});

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const deviceOf = async (desk: Desk & { signIn: Promise<{ deviceId: string }> }) => {
  const [row] = await hp.rows<{ id: string; revokedAt: string | null }>('SELECT id, revokedAt FROM device WHERE id = ?', [(await desk.signIn).deviceId]);
  return row ?? { id: '', revokedAt: null };
};
/** Ages the console's device row as if it had signed in (or last reached the server) that long ago. */
const age = (deviceId: string, fields: { createdAt?: string; lastSeenAt?: string }) =>
  hp.rows(`UPDATE device SET ${Object.keys(fields).map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...Object.values(fields), deviceId]);
const patientUpdate = (desk: Desk) =>
  desk.push([desk.mutation('preRegisterPatient', { patientId: randomUUID(), givenName: 'Late', familyName: 'Token', dateOfBirth: '1980-01-01', email: '', phone: '', invitationId: null } as never)]);

describe('staff device tokens expire', () => {
  const [receptionist] = DEMO.staff;

  it('a token older than the clinic lifetime (30 days by default) is refused with "sign in again", ended for good and audited; its push changes nothing', async () => {
    const desk = await secondConsole(receptionist ?? DEMO.admin);
    const device = await deviceOf(desk);
    await age(device.id, { createdAt: daysAgo(31), lastSeenAt: daysAgo(0) });
    const before = await hp.snapshot();

    const refused = await patientUpdate(desk);
    expectRefused(refused, 401, 'not_signed_in');
    expect((refused.body as unknown as ApiErrorResponse).error.message).toMatch(/expired\. Sign in again/);
    expect(await hp.snapshot()).toEqual(before);
    expect((await deviceOf(desk)).revokedAt).not.toBeNull();
    expect(await hp.count('audit_event', "action = 'staff.sign_in_expired' AND entityId = ? AND detail = 'reason=lifetime'", [device.id])).toBe(1);
    // Every later call hears the same reason; the end is for good, not a matter of the clock.
    const again = await desk.call<ApiErrorResponse>('/api/staff/me');
    expectRefused(again, 401, 'not_signed_in');
    expect(again.body.error.message).toMatch(/expired/);
  });

  it('a token unused for longer than the idle limit (7 days by default) is refused, although it is young', async () => {
    const desk = await secondConsole(receptionist ?? DEMO.admin);
    const device = await deviceOf(desk);
    await age(device.id, { createdAt: daysAgo(8), lastSeenAt: daysAgo(7.5) });
    const before = await hp.snapshot();
    expectRefused(await patientUpdate(desk), 401, 'not_signed_in');
    expect(await hp.snapshot()).toEqual(before);
    expect(await hp.count('audit_event', "action = 'staff.sign_in_expired' AND entityId = ? AND detail = 'reason=idle'", [device.id])).toBe(1);
  });

  it("follows the clinic's setting: a 3-day-old token holds under the default and ends once an admin sets a 2-day lifetime", async () => {
    const desk = await secondConsole(receptionist ?? DEMO.admin);
    const device = await deviceOf(desk);
    await age(device.id, { createdAt: daysAgo(3), lastSeenAt: daysAgo(0) });
    const holds = await desk.call('/api/staff/me');
    expect(holds.status, holds.text).toBe(200);
    // (hp.admin's console was signed out by the password reset above.)
    const admin = await secondConsole(DEMO.admin);
    expect((await admin.call('/api/staff/clinic', { method: 'PATCH', body: { staffTokenLifetimeDays: 2, staffTokenIdleDays: 2 } })).status).toBe(200);
    try {
      expectRefused(await desk.call('/api/staff/me'), 401, 'not_signed_in');
    } finally {
      expect((await admin.call('/api/staff/clinic', { method: 'PATCH', body: { staffTokenLifetimeDays: 30, staffTokenIdleDays: 7 } })).status).toBe(200);
    }
  });
});

describe('a console whose sign-in expired', () => {
  it('goes back to sign-in saying so, keeps its waiting change, and sends it after the same person signs in again', async () => {
    const [receptionist] = DEMO.staff;
    const who = receptionist ?? DEMO.admin;
    const core = await startSignedInCore(hp.url, who.username, who.password);
    try {
      await core.engine.stop();
      const item = await core.services.patients.preRegister(mariaForm({ email: 'expired.console@example.com' }), false);
      const deviceId = await core.db.read((m) => getState(m, 'deviceId'));
      await age(deviceId ?? '', { createdAt: daysAgo(31) });
      const before = await hp.snapshot();

      core.engine.start();
      await expect.poll(async () => (await core.services.auth.status()).mode, { timeout: 15_000 }).toBe('sign-in');
      const status = await core.services.auth.status();
      expect(status.signInReason).toMatch(/expired\. Sign in again/);
      expect(await hp.snapshot()).toEqual(before);
      expect(await core.db.read((m) => core.outbox.countPending(m))).toBe(1);

      const back = await core.services.auth.signIn({ username: who.username, password: who.password });
      expect(back.mode).toBe('ready');
      expect(back.signInReason).toBeUndefined();
      await expect.poll(async () => (await core.engine.syncNow()).pending, { timeout: 15_000 }).toBe(0);
      expect(await hp.count('patient', 'id = ?', [item.patient.id])).toBe(1);
    } finally {
      await core.dispose();
    }
  });
});
