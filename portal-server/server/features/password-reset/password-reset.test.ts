import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import type { StaffPasswordResetResponse } from '../../../../shared/api/staffSecurity';
import { PasswordResetEntity } from '../../../../shared/node/entities/security';
import { AuditEventEntity, ClinicEntity, MailOutboxEntity, PatientAccountEntity } from '../../../../shared/node/entities/server';
import { readMails, waitForMail } from '../../../../test/fixtures/mail';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicTeam, registerPatient, signInPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { api, startTestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let team: ClinicTeam;

beforeAll(async () => {
  portal = await startTestPortal();
  team = await clinicTeam(portal);
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
const DAY = 86_400_000;

async function patient(givenName: string): Promise<{ client: PatientClient; accountId: string; username: string }> {
  const client = await registerPatient(portal, team.desk.console, { givenName, familyName: 'Reset' });
  const account = await db().read((m) => m.findOneByOrFail(PatientAccountEntity, { patientId: client.patientId }));
  return { client, accountId: account.id, username: account.username };
}
const account = (id: string) => db().read((m) => m.findOneByOrFail(PatientAccountEntity, { id }));

const sendReset = (patientId: string, token: string) =>
  api<StaffPasswordResetResponse & ApiErrorResponse>(portal.url, `/api/staff/patients/${patientId}/password-reset`, { method: 'POST', token });
const useReset = (body: unknown) => api<ApiErrorResponse | null>(portal.url, '/api/password-reset', { body });

/** Sends a reset from the desk and reads the link out of the delivered email, as the patient would. */
async function resetMail(patientId: string, email: string, token = team.desk.console.token) {
  const before = (await readMails(portal.mailDir)).filter((m) => m.to.includes(email)).length;
  const res = await sendReset(patientId, token);
  expect(res.status).toBe(202);
  await portal.handle.flushMail();
  const mail = await waitForMail(portal.mailDir, email, { after: before });
  const link = /href="([^"]+\/reset-password#token=[^"]+)"/.exec(mail.html)?.[1] ?? '';
  return { res, mail, link, token: new URL(link).hash.replace('#token=', '') };
}

describe('front-desk password reset', () => {
  it('emails a PHI-free one-time link; the new password signs out every session, clears the lockout and is audited', async () => {
    const p = await patient('Nora');
    const other = await signInPatient(portal.url, p.username, 'Password1');
    await db().write((m) => m.update(PatientAccountEntity, { id: p.accountId }, { failedSignIns: 7, lockedUntil: new Date(Date.now() + 3_600_000).toISOString() }));

    const { res, mail, link, token } = await resetMail(p.client.patientId, p.client.email);
    // The clinic's invitations last 14 days; a reset link at most 3.
    expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 3 * DAY - 60_000);
    expect(new Date(res.body.expiresAt).getTime()).toBeLessThanOrEqual(Date.now() + 3 * DAY);
    expect(link).toMatch(new RegExp(`^${portal.url}/reset-password#token=[A-Za-z0-9_-]{40,}$`));
    expect(mail.text).toContain('Your clinic has sent you a link to set a new password');
    for (const secret of ['Nora', 'Reset', p.username, '1986']) {
      expect(mail.text).not.toContain(secret);
      expect(mail.subject).not.toContain(secret);
    }
    // Stored only as an HMAC; the outbox forgets the link once the mail is out.
    const row = await db().read((m) => m.findOneByOrFail(PasswordResetEntity, { accountId: p.accountId }));
    expect(row.tokenHash).not.toContain(token);
    const outbox = await db().read((m) => m.find(MailOutboxEntity, { where: { template: 'passwordReset', recipient: p.client.email } }));
    expect(outbox.map((o) => o.payload)).toEqual(['{"scrubbed":true}']);

    const res204 = await useReset({ token, password: 'NewPass22', confirmPassword: 'NewPass22' });
    expect(res204.status).toBe(204);
    expect((await p.client.get('/api/session')).status).toBe(401);
    expect((await other.get('/api/session')).status).toBe(401);
    expect(await account(p.accountId)).toMatchObject({ failedSignIns: 0, lockedUntil: null });
    await expect(signInPatient(portal.url, p.username, 'Password1')).rejects.toThrow(/401/);
    await signInPatient(portal.url, p.username, 'NewPass22');

    const events = await db().read((m) => m.find(AuditEventEntity, { where: { entityId: p.client.patientId }, order: { at: 'ASC' } }));
    expect(events.filter((e) => e.action === 'patient.password_reset_sent').map((e) => [e.actorKind, e.actorId])).toEqual([['staff', team.desk.id]]);
    expect(events.filter((e) => e.action === 'patient.password_reset_by_link').map((e) => [e.actorKind, e.actorId])).toEqual([['patient', p.accountId]]);
  });

  it('works once: a used link is refused and changes nothing', async () => {
    const p = await patient('Otto');
    const { token } = await resetMail(p.client.patientId, p.client.email, team.admin.console.token);
    expect((await useReset({ token, password: 'First1234', confirmPassword: 'First1234' })).status).toBe(204);
    const hash = (await account(p.accountId)).passwordHash;
    const again = await useReset({ token, password: 'Second123', confirmPassword: 'Second123' });
    expect(again.status).toBe(404);
    expect(again.body?.error.message).toMatch(/Ask your clinic to send a new one/);
    expect((await account(p.accountId)).passwordHash).toBe(hash);
  });

  it('checks the new password against the clinic policy and the confirmation, changing nothing until both pass', async () => {
    const p = await patient('Pia');
    const { token } = await resetMail(p.client.patientId, p.client.email);
    const hash = (await account(p.accountId)).passwordHash;
    const weak = await useReset({ token, password: 'password', confirmPassword: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.body?.error.fields?.password).toBe('Password must include at least 1 number.');
    const mismatch = await useReset({ token, password: 'Goodpass1', confirmPassword: 'Goodpass2' });
    expect(mismatch.body?.error.fields).toEqual({ confirmPassword: 'The passwords do not match.' });
    expect((await account(p.accountId)).passwordHash).toBe(hash);
    expect((await p.client.get('/api/session')).status).toBe(200);
    // The link still works after the corrections.
    expect((await useReset({ token, password: 'Goodpass1', confirmPassword: 'Goodpass1' })).status).toBe(204);
  });

  it('a newer link replaces the older one; an expired one is refused; the clinic’s shorter invitation lifetime applies', async () => {
    const p = await patient('Quinn');
    const clinicId = (await db().read((m) => m.find(ClinicEntity)))[0]?.id ?? '';
    const first = await resetMail(p.client.patientId, p.client.email);
    await db().write((m) => m.update(ClinicEntity, { id: clinicId }, { invitationLifetimeDays: 1 }));
    const second = await resetMail(p.client.patientId, p.client.email);
    await db().write((m) => m.update(ClinicEntity, { id: clinicId }, { invitationLifetimeDays: 14 }));
    expect(new Date(second.res.body.expiresAt).getTime()).toBeLessThanOrEqual(Date.now() + DAY);
    expect((await useReset({ token: first.token, password: 'Quinn1234', confirmPassword: 'Quinn1234' })).status).toBe(404);

    await db().write((m) => m.update(PasswordResetEntity, { accountId: p.accountId }, { expiresAt: new Date(Date.now() - 1000).toISOString() }));
    const expired = await useReset({ token: second.token, password: 'Quinn1234', confirmPassword: 'Quinn1234' });
    expect(expired.status).toBe(404);
    expect(expired.body?.error.code).toBe('not_found');
    await signInPatient(portal.url, p.username, 'Password1');
  });

  it('refuses a physician (nothing stored or sent), a patient without an account, and made-up tokens', async () => {
    const p = await patient('Rosa');
    const mailsBefore = (await readMails(portal.mailDir)).length;
    const refused = await sendReset(p.client.patientId, team.doctor.console.token);
    expect(refused.status).toBe(403);
    expect(await db().read((m) => m.countBy(PasswordResetEntity, { accountId: p.accountId }))).toBe(0);
    await portal.handle.flushMail();
    expect((await readMails(portal.mailDir)).length).toBe(mailsBefore);

    const { patientId } = await team.desk.console.preRegister({ email: `no.portal.${randomUUID().slice(0, 6)}@example.com` });
    expect((await sendReset(patientId, team.desk.console.token)).status).toBe(404);
    expect((await sendReset(randomUUID(), team.desk.console.token)).status).toBe(404);
    expect((await api(portal.url, `/api/staff/patients/${p.client.patientId}/password-reset`, { method: 'POST' })).status).toBe(401);

    for (const token of ['made-up-token', "' OR 1=1 --", 'x'.repeat(200)]) {
      expect((await useReset({ token, password: 'Goodpass1', confirmPassword: 'Goodpass1' })).status).toBe(404);
    }
    expect((await useReset({ password: 'Goodpass1', confirmPassword: 'Goodpass1' })).status).toBe(400);
  });
});
