import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordAccessEntry } from '../../../../shared/api/account';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import { CSRF_HEADER } from '../../../../shared/api/types';
import { AuditEventEntity, ClinicEntity, PatientAccountEntity } from '../../../../shared/node/entities/server';
import { readMails, waitForMail } from '../../../../test/fixtures/mail';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicTeam, registerPatient, signInPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, api, startTestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let team: ClinicTeam;

beforeAll(async () => {
  portal = await startTestPortal({ config: { trustProxy: 'loopback' } });
  team = await clinicTeam(portal);
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
const passwordHashOf = async (p: PatientClient) => (await db().read((m) => m.findOneByOrFail(PatientAccountEntity, { patientId: p.patientId }))).passwordHash;
const changePassword = (p: PatientClient, body: unknown) => p.post<ApiErrorResponse>('/api/account/password', body);

let n = 0;
function newPatient(): Promise<PatientClient> {
  n += 1;
  return registerPatient(portal, team.desk.console, { givenName: 'Pat', familyName: `Account${n}` });
}

describe('changing the password', () => {
  it('needs the current password; success keeps this session and signs out every other one', async () => {
    const pat = await newPatient();
    const phone = await signInPatient(portal.url, pat.username, 'Password1');
    const hash = await passwordHashOf(pat);

    const wrong = await changePassword(pat, { currentPassword: 'Password2', password: 'Newpass22', confirmPassword: 'Newpass22' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields).toEqual({ currentPassword: 'That is not your current password.' });
    expect(await passwordHashOf(pat)).toBe(hash);
    expect((await phone.get('/api/session')).status).toBe(200);

    const mailsBefore = (await readMails(portal.mailDir)).filter((m) => m.to.includes(pat.email)).length;
    const ok = await changePassword(pat, { currentPassword: 'Password1', password: 'Newpass22', confirmPassword: 'Newpass22' });
    expect(ok.status).toBe(204);
    expect((await pat.get('/api/session')).status).toBe(200);
    expect((await phone.get('/api/session')).status).toBe(401);
    await expect(signInPatient(portal.url, pat.username, 'Password1')).rejects.toThrow(/401/);
    await signInPatient(portal.url, pat.username, 'Newpass22');

    const account = await db().read((m) => m.findOneByOrFail(PatientAccountEntity, { patientId: pat.patientId }));
    expect(await db().read((m) => m.countBy(AuditEventEntity, { actorId: account.id, action: 'patient.password_change' }))).toBe(1);
    await portal.handle.flushMail();
    const notice = await waitForMail(portal.mailDir, pat.email, { after: mailsBefore });
    expect(notice.text).toMatch(/password of your .* account was changed/);
    expect(notice.text).not.toContain('Newpass22');
  });

  it('follows the clinic policy, field by field, and changes nothing when refused', async () => {
    const pat = await newPatient();
    const hash = await passwordHashOf(pat);
    const bad = await changePassword(pat, { currentPassword: 'Password1', password: 'weak', confirmPassword: 'different' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields ?? {}).sort()).toEqual(['confirmPassword', 'password']);
    const same = await changePassword(pat, { currentPassword: 'Password1', password: 'Password1', confirmPassword: 'Password1' });
    expect(same.body.error.fields?.password).toMatch(/different from your current one/);

    await db().write((m) => m.update(ClinicEntity, { name: TEST_CLINIC.name }, { passwordPolicy: 'strong' }));
    try {
      const weak = await changePassword(pat, { currentPassword: 'Password1', password: 'Password22', confirmPassword: 'Password22' });
      expect(weak.body.error.fields?.password).toMatch(/between 15 and 64/);
      expect(await passwordHashOf(pat)).toBe(hash);
      const phrase = 'copper kettle meadow 42';
      expect((await changePassword(pat, { currentPassword: 'Password1', password: phrase, confirmPassword: phrase })).status).toBe(204);
    } finally {
      await db().write((m) => m.update(ClinicEntity, { name: TEST_CLINIC.name }, { passwordPolicy: 'default' }));
    }
  });

  it('needs the session and its CSRF token', async () => {
    const pat = await newPatient();
    const hash = await passwordHashOf(pat);
    const body = { currentPassword: 'Password1', password: 'Newpass22', confirmPassword: 'Newpass22' };
    const noToken = await api<ApiErrorResponse>(portal.url, '/api/account/password', { body, headers: { cookie: pat.cookie, origin: portal.url } });
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.code).toBe('csrf_failed');
    const other = await newPatient();
    const othersToken = await api<ApiErrorResponse>(portal.url, '/api/account/password', { body, headers: { cookie: pat.cookie, [CSRF_HEADER]: other.csrfToken } });
    expect(othersToken.status).toBe(403);
    const noSession = await api<ApiErrorResponse>(portal.url, '/api/account/password', { body, headers: { [CSRF_HEADER]: pat.csrfToken } });
    expect(noSession.status).toBe(401);
    expect(await passwordHashOf(pat)).toBe(hash);
  });
});

describe('signing out everywhere', () => {
  it('ends every session of the account, this one included, and needs the CSRF token', async () => {
    const pat = await newPatient();
    const laptop = await signInPatient(portal.url, pat.username, 'Password1');
    const noToken = await api<ApiErrorResponse>(portal.url, '/api/session/sign-out-everywhere', { method: 'POST', headers: { cookie: pat.cookie } });
    expect(noToken.status).toBe(403);
    expect((await laptop.get('/api/session')).status).toBe(200);

    const res = await fetch(`${portal.url}/api/session/sign-out-everywhere`, { method: 'POST', headers: { cookie: pat.cookie, [CSRF_HEADER]: pat.csrfToken } });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/^__Host-portal_session=; .*Max-Age=0/);
    for (const session of [pat, laptop]) {
      expect((await session.get('/api/session')).status).toBe(401);
    }
  });
});

describe('who viewed my record', () => {
  it('lists staff views and changes of MY record only, newest first, with name and role', async () => {
    const ann = await newPatient();
    const bob = await newPatient();
    const carl = await newPatient();
    expect((await team.desk.apply('recordViewed', { patientId: ann.patientId, viewedAt: new Date(Date.now() - 60_000).toISOString() })).status).toBe('applied');
    const entry = { name: 'Asthma', status: 'active' as const, onsetDate: '2010-04-01', note: '' };
    expect((await team.doctor.apply('saveRecordEntry', { kind: 'problem', entryId: randomUUID(), patientId: ann.patientId, fields: entry, baseVersion: 0 })).status).toBe('applied');
    expect((await team.doctor.apply('recordViewed', { patientId: bob.patientId, viewedAt: new Date().toISOString() })).status).toBe('applied');
    // The patient's own reads are not "someone at the clinic".
    expect((await ann.post('/api/record/view')).status).toBe(200);

    const mine = await ann.get<RecordAccessEntry[]>('/api/account/record-access');
    expect(mine.status).toBe(200);
    expect(mine.headers.get('cache-control')).toBe('no-store');
    expect(mine.body.map(({ staffName, role, what }) => ({ staffName, role, what }))).toEqual([
      { staffName: 'Dr. Sam Patel', role: 'physician', what: 'Added to your medical record' },
      { staffName: 'Dana Desk', role: 'receptionist', what: 'Viewed your medical record' },
    ]);
    expect(Date.parse(mine.body[0]?.at ?? '')).toBeGreaterThan(Date.parse(mine.body[1]?.at ?? ''));

    const bobs = await bob.get<RecordAccessEntry[]>('/api/account/record-access');
    expect(bobs.body.map((e) => [e.staffName, e.what])).toEqual([['Dr. Sam Patel', 'Viewed your medical record']]);
    expect((await carl.get<RecordAccessEntry[]>('/api/account/record-access')).body).toEqual([]);
    expect((await api(portal.url, '/api/account/record-access')).status).toBe(401);
  });
});
