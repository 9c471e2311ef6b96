import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import { AuditEventEntity, PatientAccountEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import type { ClinicTeam } from '../../../../test/fixtures/patients';
import { clinicTeam, registerPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { api, startTestPortal } from '../../../../test/fixtures/portal';
import { ADDRESS_LOCK_AFTER } from './lockout';

let portal: TestPortal;
let team: ClinicTeam;
/** Registered before any test moves the clock: the mail dispatcher keeps real time. */
const patients = new Map<string, { patientId: string; accountId: string; username: string }>();
let offset = 0;
let lastAddress = 0;

beforeAll(async () => {
  // Behind a (pretend) proxy on loopback, so each test can sign in from its own client address.
  portal = await startTestPortal({ config: { trustProxy: 'loopback' } });
  portal.handle.context.now = () => new Date(Date.now() + offset);
  team = await clinicTeam(portal);
  for (const name of ['Gwen', 'Hank', 'Ivy', 'Jude', 'Kim', 'Lou']) {
    patients.set(name, await registered(name));
  }
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
const advance = (ms: number) => {
  offset += ms;
};
const newAddress = () => `203.0.113.${(lastAddress += 1)}`;
const MINUTE = 60_000;

type Answer = { status: number; code?: string; message?: string; retryAfter: string | null };

async function signIn(path: '/api/session' | '/api/staff/sign-in', username: string, password: string, address: string): Promise<Answer> {
  const res = await api<ApiErrorResponse>(portal.url, path, { body: { username, password, deviceName: 'desk' }, headers: { 'x-forwarded-for': address } });
  return { status: res.status, code: res.body.error?.code, message: res.body.error?.message, retryAfter: res.headers.get('retry-after') };
}
const patientSignIn = (username: string, password: string, address: string) => signIn('/api/session', username, password, address);
const staffSignIn = (username: string, password: string, address: string) => signIn('/api/staff/sign-in', username, password, address);

const wrong: Answer = { status: 401, code: 'invalid_credentials', message: 'The username or password is not right. Check them and try again.', retryAfter: null };
const wait = (minutes: number): Answer => ({
  status: 429,
  code: 'rate_limited',
  message: `Too many tries. Please wait ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} and try again.`,
  retryAfter: String(minutes * 60),
});

async function registered(givenName: string) {
  const client = await registerPatient(portal, team.desk.console, { givenName, familyName: 'Lock' });
  const account = await db().read((m) => m.findOneByOrFail(PatientAccountEntity, { patientId: client.patientId }));
  return { patientId: client.patientId, accountId: account.id, username: account.username };
}
function newPatient(name: string) {
  const p = patients.get(name);
  if (!p) {
    throw new Error(`no patient ${name}`);
  }
  return p;
}
const accountRow = (id: string) => db().read((m) => m.findOneByOrFail(PatientAccountEntity, { id }));
const audits = (action: string, actorId: string | null) => db().read((m) => m.find(AuditEventEntity, { where: { action, ...(actorId ? { actorId } : {}) }, order: { at: 'ASC' } }));

describe('patient sign-in lockout', () => {
  it('waits 1, 2, then 4 minutes after the fifth failure, says how long, and lets the right password in afterwards', async () => {
    const p = newPatient('Gwen');
    const from = newAddress();
    for (let i = 0; i < 4; i += 1) {
      expect(await patientSignIn(p.username, 'Wrong1234', from)).toEqual(wrong);
    }
    expect(await patientSignIn(p.username, 'Wrong1234', from)).toEqual(wait(1));
    // Locked: even the right password waits.
    expect(await patientSignIn(p.username, 'Password1', from)).toEqual(wait(1));
    const locked = await accountRow(p.accountId);
    expect(locked.failedSignIns).toBe(5);
    expect(new Date(locked.lockedUntil ?? 0).getTime()).toBeGreaterThan(Date.now() + offset + 50_000);

    advance(MINUTE + 1000);
    expect(await patientSignIn(p.username, 'Wrong1234', from)).toEqual(wait(2));
    advance(2 * MINUTE + 1000);
    expect(await patientSignIn(p.username, 'Wrong1234', from)).toEqual(wait(4));
    advance(4 * MINUTE + 1000);
    expect((await patientSignIn(p.username, 'Password1', from)).status).toBe(200);
    const after = await accountRow(p.accountId);
    expect(after).toMatchObject({ failedSignIns: 0, lockedUntil: null, lastFailedSignInAt: null });

    // Every try is in the audit log, the refusal while locked with its reason.
    const failed = await audits('patient.sign_in_failed', p.accountId);
    expect(failed.map((e) => e.detail)).toEqual([...Array<string>(5).fill('reason=wrong_password'), 'reason=locked', 'reason=wrong_password', 'reason=wrong_password']);
    expect(failed.every((e) => e.ip === from && e.actorKind === 'anonymous')).toBe(true);
    expect((await audits('patient.sign_in', p.accountId)).filter((e) => e.ip === from)).toHaveLength(1);
  });

  it('never waits more than an hour, and forgets failures a day after the last one', async () => {
    const p = newPatient('Hank');
    const now = () => new Date(Date.now() + offset);
    await db().write((m) => m.update(PatientAccountEntity, { id: p.accountId }, { failedSignIns: 15, lockedUntil: null, lastFailedSignInAt: now().toISOString() }));
    expect(await patientSignIn(p.username, 'Wrong1234', newAddress())).toEqual(wait(60));

    const dayAgo = new Date(now().getTime() - 25 * 60 * MINUTE).toISOString();
    await db().write((m) => m.update(PatientAccountEntity, { id: p.accountId }, { failedSignIns: 9, lockedUntil: null, lastFailedSignInAt: dayAgo }));
    expect(await patientSignIn(p.username, 'Wrong1234', newAddress())).toEqual(wrong);
    expect((await accountRow(p.accountId)).failedSignIns).toBe(1);
  });

  it('answers an unknown username exactly like a real one, and its lock holds from any address', async () => {
    const p = newPatient('Ivy');
    const unknown = `nobody${randomUUID().slice(0, 6)}`;
    const [a, b] = [newAddress(), newAddress()];
    const real: Answer[] = [];
    const ghost: Answer[] = [];
    const both = async (password: string) => {
      real.push(await patientSignIn(p.username, password, a));
      ghost.push(await patientSignIn(unknown, password, b));
    };
    for (let i = 0; i < 5; i += 1) {
      await both('Wrong1234');
    }
    await both('Password1');
    real.push(await patientSignIn(p.username, 'Wrong1234', newAddress()));
    ghost.push(await patientSignIn(unknown, 'Wrong1234', newAddress()));
    advance(MINUTE + 1000);
    await both('Wrong1234');
    expect(ghost).toEqual(real);
    expect(real.map((r) => r.status)).toEqual([401, 401, 401, 401, 429, 429, 429, 429]);
    expect(real.at(-1)).toEqual(wait(2));
    // The typed username is kept only as an HMAC, never in clear.
    const throttle = await db().read((m) => m.query('SELECT * FROM sign_in_throttle') as Promise<{ key: string }[]>);
    expect(JSON.stringify(throttle)).not.toContain(unknown);
  });

  it(`locks an address after ${ADDRESS_LOCK_AFTER} failures across usernames, growing the same way, without locking the accounts`, async () => {
    const p = newPatient('Jude');
    const from = newAddress();
    for (let i = 1; i < ADDRESS_LOCK_AFTER; i += 1) {
      expect(await patientSignIn(`guess${i}${randomUUID().slice(0, 4)}`, 'Password1', from)).toEqual(wrong);
    }
    expect(await patientSignIn(`guess0${randomUUID().slice(0, 4)}`, 'Password1', from)).toEqual(wait(1));
    // Every username now waits from this address, the right password too; elsewhere it works.
    expect(await patientSignIn(p.username, 'Password1', from)).toEqual(wait(1));
    expect((await patientSignIn(p.username, 'Password1', newAddress())).status).toBe(200);
    advance(MINUTE + 1000);
    expect(await patientSignIn(`guess${randomUUID().slice(0, 6)}`, 'Password1', from)).toEqual(wait(2));
    const refused = (await audits('patient.sign_in_failed', null)).filter((e) => e.ip === from && e.detail === 'reason=address_locked');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.actorId).toBe(p.accountId);
  });

  it('audits a sign-in the route’s rate limit refuses (30 tries per address in 10 minutes)', async () => {
    const from = newAddress();
    const answers: number[] = [];
    for (let i = 0; i < 31; i += 1) {
      answers.push((await patientSignIn(`flood${i}`, 'Wrong1234', from)).status);
    }
    expect(answers.filter((s) => s === 401)).toHaveLength(ADDRESS_LOCK_AFTER - 1);
    const reasons = (await audits('patient.sign_in_failed', null)).filter((e) => e.ip === from).map((e) => e.detail);
    expect(reasons).toHaveLength(31);
    expect(reasons.at(-1)).toBe('reason=rate_limited');
  });

  it('audits a sign-in whose form is incomplete', async () => {
    const from = newAddress();
    const res = await patientSignIn('', '', from);
    expect(res.status).toBe(400);
    expect((await audits('patient.sign_in_failed', null)).filter((e) => e.ip === from).map((e) => e.detail)).toEqual(['reason=invalid_input']);
  });
});

describe('staff sign-in lockout', () => {
  const staffWrong: Answer = { ...wrong, message: 'The username or password is not right, or the account is inactive.' };

  it('locks a staff account with the same growing waits; an admin password reset lifts it', async () => {
    const nurse = await team.add('frontdesk9', 'Fran Front', 'receptionist');
    const from = newAddress();
    for (let i = 0; i < 4; i += 1) {
      expect(await staffSignIn('frontdesk9', 'Wrong1234', from)).toEqual(staffWrong);
    }
    expect(await staffSignIn('FrontDesk9', 'Wrong1234', from)).toEqual(wait(1));
    expect(await staffSignIn('frontdesk9', 'Staff2Work', from)).toEqual(wait(1));
    const row = await db().read((m) => m.findOneByOrFail(StaffUserEntity, { id: nurse.id }));
    expect(row.failedSignIns).toBe(5);
    expect(row.lockedUntil).not.toBeNull();
    advance(MINUTE + 1000);
    expect(await staffSignIn('frontdesk9', 'Wrong1234', from)).toEqual(wait(2));

    const reset = await api(portal.url, `/api/staff/users/${nurse.id}/password`, { token: team.admin.console.token, body: { password: 'Fresh2Start' } });
    expect(reset.status).toBe(200);
    expect(await db().read((m) => m.findOneByOrFail(StaffUserEntity, { id: nurse.id }))).toMatchObject({ failedSignIns: 0, lockedUntil: null });
    expect((await staffSignIn('frontdesk9', 'Fresh2Start', from)).status).toBe(200);

    const failed = await audits('staff.sign_in_failed', nurse.id);
    expect(failed.map((e) => e.detail)).toEqual(['reason=wrong_password', 'reason=wrong_password', 'reason=wrong_password', 'reason=wrong_password', 'reason=wrong_password', 'reason=locked', 'reason=wrong_password']);
  });

  it('answers an unknown staff username and a deactivated account like a wrong password', async () => {
    const gone = await team.add('leaver01', 'Lee Leaver', 'physician');
    expect((await api(portal.url, `/api/staff/users/${gone.id}`, { method: 'PATCH', token: team.admin.console.token, body: { active: false } })).status).toBe(200);
    const unknown: Answer[] = [];
    const inactive: Answer[] = [];
    for (let i = 0; i < 6; i += 1) {
      unknown.push(await staffSignIn('ghost-staff', 'Staff2Work', newAddress()));
      inactive.push(await staffSignIn('leaver01', 'Staff2Work', newAddress()));
    }
    expect(unknown).toEqual(inactive);
    expect(inactive).toEqual([staffWrong, staffWrong, staffWrong, staffWrong, wait(1), wait(1)]);
    expect((await audits('staff.sign_in_failed', gone.id)).map((e) => e.detail).slice(0, 5)).toEqual(Array<string>(5).fill('reason=refused'));
  });
});

describe('POST /api/staff/patients/:patientId/unlock-account', () => {
  const unlock = (patientId: string, token?: string) => api<ApiErrorResponse | null>(portal.url, `/api/staff/patients/${patientId}/unlock-account`, { method: 'POST', token });

  async function lockedPatient(name: string) {
    const p = newPatient(name);
    const from = newAddress();
    for (let i = 0; i < 5; i += 1) {
      await patientSignIn(p.username, 'Wrong1234', from);
    }
    expect((await accountRow(p.accountId)).lockedUntil).not.toBeNull();
    return p;
  }

  it('lets a receptionist unlock a patient, who can sign in at once; audited', async () => {
    const p = await lockedPatient('Kim');
    const res = await unlock(p.patientId, team.desk.console.token);
    expect(res.status).toBe(204);
    expect(await accountRow(p.accountId)).toMatchObject({ failedSignIns: 0, lockedUntil: null });
    expect((await patientSignIn(p.username, 'Password1', newAddress())).status).toBe(200);
    const [event] = await audits('patient.account_unlock', team.desk.id);
    expect(event).toMatchObject({ actorKind: 'staff', entity: 'patient', entityId: p.patientId, detail: 'was=locked' });
    expect((await unlock(p.patientId, team.admin.console.token)).status).toBe(204);
  });

  it('refuses a physician and changes nothing', async () => {
    const p = await lockedPatient('Lou');
    const before = await accountRow(p.accountId);
    const res = await unlock(p.patientId, team.doctor.console.token);
    expect(res.status).toBe(403);
    expect(res.body?.error.code).toBe('forbidden');
    expect(await accountRow(p.accountId)).toEqual(before);
    expect(await audits('patient.account_unlock', team.doctor.id)).toHaveLength(0);
  });

  it('answers 404 for a patient without an account, an unknown id or a malformed one, and 401 without a token', async () => {
    const { patientId } = await team.desk.console.preRegister({ email: `no.account.${randomUUID().slice(0, 6)}@example.com` });
    for (const id of [patientId, randomUUID(), "1' OR '1'='1"]) {
      const res = await unlock(encodeURIComponent(id), team.desk.console.token);
      expect(res.status).toBe(404);
      expect(res.body?.error.code).toBe('not_found');
    }
    expect((await unlock(patientId)).status).toBe(401);
  });
});
