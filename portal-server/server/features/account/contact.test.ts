import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import { EmailChangeEntity } from '../../../../shared/node/entities/emailChange';
import { AuditEventEntity, PatientAccountEntity, PatientEntity } from '../../../../shared/node/entities/server';
import { readMails, waitForMail } from '../../../../test/fixtures/mail';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicTeam, pulledRow, registerPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, startTestPortal } from '../../../../test/fixtures/portal';
import type { ContactView } from './contactService';

/** Account → contact details: a patient changes their own phone, and their email with a code sent to the new address. */
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
let n = 0;
function newPatient(): Promise<PatientClient> {
  n += 1;
  return registerPatient(portal, team.desk.console, { givenName: 'Cora', familyName: `Contact${n}` });
}
const patientRow = (p: PatientClient) => db().read((m) => m.findOneByOrFail(PatientEntity, { id: p.patientId }));
const mailsTo = async (address: string) => (await readMails(portal.mailDir)).filter((m) => m.to.includes(address)).length;
const newAddress = () => `cora.${Math.random().toString(36).slice(2, 10)}@example.org`;

async function codeSentTo(address: string, before: number): Promise<string> {
  await portal.handle.flushMail();
  const mail = await waitForMail(portal.mailDir, address, { after: before });
  expect(mail.code).toMatch(/^\d{6}$/);
  return mail.code ?? '';
}
const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000');

describe('changing the phone number', () => {
  it('saves a valid number, audited, and the consoles pull it; an invalid one changes nothing', async () => {
    const pat = await newPatient();
    const before = await patientRow(pat);

    const bad = await pat.post<ApiErrorResponse>('/api/account/phone', { phone: '555-CALL-NOW' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual({ phone: 'A phone number can use digits, spaces and + ( ) - . only.' });
    const empty = await pat.post<ApiErrorResponse>('/api/account/phone', { phone: '' });
    expect(empty.status).toBe(400);
    expect(await patientRow(pat)).toEqual(before);

    const ok = await pat.post<ContactView>('/api/account/phone', { phone: ' (555) 010-2233 ' });
    expect(ok.status).toBe(200);
    expect(ok.body.phone).toBe('(555) 010-2233');
    const after = await patientRow(pat);
    expect(after).toMatchObject({ phone: '(555) 010-2233', version: before.version + 1, email: before.email });
    const account = await db().read((m) => m.findOneByOrFail(PatientAccountEntity, { patientId: pat.patientId }));
    expect(await db().read((m) => m.countBy(AuditEventEntity, { actorId: account.id, action: 'patient.self_update', detail: 'fields=phone' }))).toBe(1);
    // The server is the source of truth: the console's replica sees the new number.
    expect(await pulledRow(portal.url, team.desk.console.token, 'patient', pat.patientId)).toMatchObject({ phone: '(555) 010-2233' });
  });
});

describe('changing the email address', () => {
  it('request → code to the NEW address → confirm: the address changes, the consoles see it, the OLD address is told (no health data)', async () => {
    const pat = await newPatient();
    const before = await patientRow(pat);
    const next = newAddress();
    const oldBefore = await mailsTo(pat.email);

    const asked = await pat.post<ContactView>('/api/account/email', { email: next, currentPassword: 'Password1' });
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ email: pat.email, pendingEmail: next });
    // Nothing changes until the code comes back.
    expect(await patientRow(pat)).toEqual(before);
    const code = await codeSentTo(next, 0);
    // The code is kept only as a keyed hash.
    const row = await db().read((m) => m.findOneByOrFail(EmailChangeEntity, { patientId: pat.patientId }));
    expect(row.codeHash).not.toContain(code);
    expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);

    const done = await pat.post<ContactView>('/api/account/email/confirm', { code });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ email: next, pendingEmail: null });
    expect(await patientRow(pat)).toMatchObject({ email: next, version: before.version + 1 });
    expect(await pulledRow(portal.url, team.desk.console.token, 'patient', pat.patientId)).toMatchObject({ email: next });

    await portal.handle.flushMail();
    const notice = await waitForMail(portal.mailDir, pat.email, { after: oldBefore });
    expect(notice.subject).toBe(`The email address of your ${TEST_CLINIC.name} Patient Portal account was changed`);
    expect(notice.text).toContain('was changed on the Account page');
    expect(notice.text).toContain(`If this was not you, call ${TEST_CLINIC.name} at ${TEST_CLINIC.phone}`);
    expect(notice.text).not.toContain('The clinic changed');
    for (const secret of [next, code, 'Cora', 'Contact']) {
      expect(notice.subject + notice.text + notice.html).not.toContain(secret);
    }
    // The code works once.
    expect((await pat.post<ApiErrorResponse>('/api/account/email/confirm', { code })).status).toBe(400);
  });

  it('refuses a wrong current password, the same address, an address of another patient and a bad address — changing nothing, sending nothing', async () => {
    const pat = await newPatient();
    const other = await newPatient();
    const before = await patientRow(pat);
    const next = newAddress();
    const cases: [unknown, string][] = [
      [{ email: next, currentPassword: 'Password2' }, 'currentPassword'],
      [{ email: pat.email.toUpperCase(), currentPassword: 'Password1' }, 'email'],
      [{ email: other.email, currentPassword: 'Password1' }, 'email'],
      [{ email: 'not-an-address', currentPassword: 'Password1' }, 'email'],
      [{ email: next }, 'currentPassword'],
    ];
    for (const [body, field] of cases) {
      const res = await pat.post<ApiErrorResponse>('/api/account/email', body);
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.fields ?? {})).toContain(field);
    }
    expect((await pat.post<ApiErrorResponse>('/api/account/email', { email: other.email, currentPassword: 'Password1' })).body.error.message).toBe('Another patient account uses that email address. Use a different one, or call the clinic.');
    expect(await patientRow(pat)).toEqual(before);
    expect(await db().read((m) => m.countBy(EmailChangeEntity, { patientId: pat.patientId }))).toBe(0);
    await portal.handle.flushMail();
    expect(await mailsTo(next)).toBe(0);
  });

  it('a wrong code counts; after 5 wrong codes even the right one is refused; nothing changes', async () => {
    const pat = await newPatient();
    const before = await patientRow(pat);
    const next = newAddress();
    expect((await pat.post('/api/account/email', { email: next, currentPassword: 'Password1' })).status).toBe(200);
    const code = await codeSentTo(next, 0);
    for (let i = 0; i < 5; i += 1) {
      const res = await pat.post<ApiErrorResponse>('/api/account/email/confirm', { code: wrongCode(code) });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('That code is not right or has expired. Ask for a new code.');
    }
    expect((await pat.post<ApiErrorResponse>('/api/account/email/confirm', { code })).status).toBe(400);
    expect(await patientRow(pat)).toEqual(before);
    expect((await pat.get<ContactView>('/api/account/contact')).body.pendingEmail).toBeNull();
  });

  it('an expired code is refused and changes nothing; only the newest code works', async () => {
    const pat = await newPatient();
    const before = await patientRow(pat);
    const next = newAddress();
    expect((await pat.post('/api/account/email', { email: next, currentPassword: 'Password1' })).status).toBe(200);
    const code = await codeSentTo(next, 0);
    await db().write((m) => m.update(EmailChangeEntity, { patientId: pat.patientId }, { expiresAt: new Date(Date.now() - 1000).toISOString() }));
    expect((await pat.post<ApiErrorResponse>('/api/account/email/confirm', { code })).status).toBe(400);
    expect(await patientRow(pat)).toEqual(before);

    expect((await pat.post('/api/account/email', { email: next, currentPassword: 'Password1' })).status).toBe(200);
    const second = await codeSentTo(next, 1);
    expect((await pat.post('/api/account/email', { email: next, currentPassword: 'Password1' })).status).toBe(200);
    const third = await codeSentTo(next, 2);
    if (second !== third) {
      expect((await pat.post<ApiErrorResponse>('/api/account/email/confirm', { code: second })).status).toBe(400);
    }
    expect((await pat.post('/api/account/email/confirm', { code: third })).status).toBe(200);
    expect(await patientRow(pat)).toMatchObject({ email: next });
  });

  it('needs a signed-in patient with the CSRF token', async () => {
    const pat = await newPatient();
    const before = await patientRow(pat);
    const res = await fetch(`${portal.url}/api/account/phone`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: pat.cookie, origin: portal.url }, body: JSON.stringify({ phone: '555 0000' }) });
    expect(res.status).toBe(403);
    expect(await patientRow(pat)).toEqual(before);
  });
});

describe('the patient write limit (PATIENT_WRITES_PER_HOUR)', () => {
  it('counts contact changes: over the limit the change is refused and nothing is written', async () => {
    const limited = await startTestPortal({ config: { trustProxy: 'loopback', patientWritesPerHour: 2 } });
    try {
      const staff = await clinicTeam(limited);
      const pat = await registerPatient(limited, staff.desk.console, { givenName: 'Lim', familyName: 'Ited' });
      const row = () => limited.handle.context.db.read((m) => m.findOneByOrFail(PatientEntity, { id: pat.patientId }));
      expect((await pat.post('/api/account/phone', { phone: '555 0101' })).status).toBe(200);
      expect((await pat.post('/api/account/phone', { phone: '555 0102' })).status).toBe(200);
      const before = await row();
      expect((await pat.post('/api/account/phone', { phone: '555 0103' })).status).toBe(429);
      expect((await pat.post('/api/account/email', { email: 'lim.new@example.org', currentPassword: 'Password1' })).status).toBe(429);
      expect(await row()).toEqual(before);
      expect(await limited.handle.context.db.read((m) => m.countBy(EmailChangeEntity, { patientId: pat.patientId }))).toBe(0);
    } finally {
      await limited.stop();
    }
  });
});
