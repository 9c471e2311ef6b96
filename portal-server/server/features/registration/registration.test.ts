import { PATIENT_ANSWERS } from '../../../../test/fixtures/patients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import type { PatientSessionView, RegistrationRequest } from '../../../../shared/api/types';
import { InvitationEntity, PatientAccountEntity } from '../../../../shared/node/entities/server';
import type { PullResponse } from '../../../../shared/sync/protocol';
import { readMails, waitForMail } from '../../../../test/fixtures/mail';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, TestConsole, addStaff, api, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let desk: TestConsole;

beforeAll(async () => {
  portal = await startTestPortal();
  const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  desk = new TestConsole(portal.url, await addStaff(portal.url, admin.token, 'frontdesk', 'receptionist'));
});
afterAll(async () => {
  await portal.stop();
});

/** Pre-registers a patient and returns what their invitation email says. */
async function invite(email: string, dateOfBirth = '1986-04-12') {
  const before = (await readMails(portal.mailDir)).filter((m) => m.to.includes(email)).length;
  const { invitationId, patientId } = await desk.preRegister({ email, dateOfBirth });
  await portal.handle.flushMail();
  const mail = await waitForMail(portal.mailDir, email, { after: before });
  const token = new URL(mail.link ?? '').hash.replace('#token=', '');
  return { invitationId, patientId, token, registrationId: mail.registrationId ?? '', mail };
}

function form(token: string, registrationId: string, overrides: Partial<RegistrationRequest> = {}): RegistrationRequest {
  return {
    token,
    username: `Patient${randomUUID().slice(0, 6)}`,
    ...PATIENT_ANSWERS,
    dateOfBirth: '04/12/1986',
    registrationId,
    ...overrides,
  };
}

const register = (body: unknown) => api<ApiErrorResponse & { username: string }>(portal.url, '/api/registration', { body });

async function invitationRow(id: string) {
  return portal.handle.context.db.read((m) => m.findOneByOrFail(InvitationEntity, { id }));
}
async function accountCount() {
  return portal.handle.context.db.read((m) => m.count(PatientAccountEntity));
}

describe('the invitation email', () => {
  it('names the clinic, links to registration and carries a Registration ID, without health information', async () => {
    const { mail } = await invite('mail.check@example.com');
    expect(mail.from).toContain(TEST_CLINIC.name);
    expect(mail.subject).toContain(TEST_CLINIC.name);
    expect(mail.html).toContain('Continue Registration');
    expect(mail.link).toMatch(new RegExp(`^${portal.url}/register#token=[A-Za-z0-9_-]{30,}$`));
    expect(mail.registrationId).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    expect(mail.text).toContain("Registration problems? Please contact your doctor's office");
    expect(mail.text).toContain(TEST_CLINIC.phone);
    expect(mail.text).toMatch(/expires on [A-Z][a-z]+ \d{1,2}, \d{4}/);
    // The guide's step 1: where to look when a mail does not arrive, in both parts.
    expect(mail.text).toContain('If you do not see one in your Inbox, check "Junk E-mail."');
    expect(mail.html).toContain('check &quot;Junk E-mail.&quot;');
    // No name, no date of birth in the mail.
    expect(mail.text).not.toContain('Maria');
    expect(mail.text).not.toContain('1986');
  });
});

describe('POST /api/registration', () => {
  it('registers with the emailed Registration ID (typed loosely) and lets the patient sign in', async () => {
    const { token, registrationId, invitationId } = await invite('ok.patient@example.com');
    const res = await register(form(token, registrationId.toLowerCase().replace('-', ' '), { username: 'William2', dateOfBirth: '4/12/1986' }));
    expect(res.status).toBe(201);
    expect(res.body.username).toBe('William2');
    expect((await invitationRow(invitationId)).status).toBe('registered');

    const signIn = await fetch(`${portal.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'william2', password: 'Password1' }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^__Host-portal_session=[A-Za-z0-9_-]+; Path=\/; HttpOnly; Secure; SameSite=Lax/);
    const view = (await signIn.json()) as PatientSessionView;
    expect(view.patient.givenName).toBe('Maria');
    expect(view.clinic.name).toBe(TEST_CLINIC.name);

    const session = await api<PatientSessionView>(portal.url, '/api/session', { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(session.status).toBe(200);
    // Sign-out needs the CSRF token.
    const noCsrf = await api(portal.url, '/api/session', { method: 'DELETE', headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(noCsrf.status).toBe(403);
    const out = await api(portal.url, '/api/session', { method: 'DELETE', headers: { cookie: cookie.split(';')[0] ?? '', 'x-csrf-token': view.csrfToken } });
    expect(out.status).toBe(204);
    const after = await api(portal.url, '/api/session', { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(after.status).toBe(401);
  });

  it('refuses broken rules field by field and writes nothing', async () => {
    const { token, registrationId, invitationId } = await invite('rules@example.com');
    const accounts = await accountCount();
    const res = await register(
      form(token, registrationId, {
        username: 'short',
        password: 'password',
        confirmPassword: 'different',
        question2: 'first-pet',
        answer1: '',
        dateOfBirth: '02/30/2000',
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(Object.keys(res.body.error.fields ?? {}).sort()).toEqual(['answer1', 'confirmPassword', 'dateOfBirth', 'password', 'question2', 'username']);
    expect(await accountCount()).toBe(accounts);
    const inv = await invitationRow(invitationId);
    expect(inv.failedTries).toBe(0);
    expect(inv.status).toBe('sent');
  });

  it('answers a wrong date of birth or Registration ID with one message naming neither, and locks after 5', async () => {
    const { token, registrationId, invitationId } = await invite('brute@example.com');
    const wrongDob = await register(form(token, registrationId, { dateOfBirth: '04/13/1986' }));
    expect(wrongDob.status).toBe(400);
    expect(wrongDob.body.error.code).toBe('verification_failed');
    expect(wrongDob.body.error.fields).toBeUndefined();
    const wrongId = await register(form(token, 'ABCD-EFGH'));
    expect(wrongId.body.error).toEqual(wrongDob.body.error);
    for (let i = 0; i < 2; i += 1) {
      expect((await register(form(token, 'ZZZZ-ZZZZ'))).body.error.code).toBe('verification_failed');
    }
    const fifth = await register(form(token, 'ZZZZ-ZZZZ'));
    expect(fifth.body.error.code).toBe('invitation_locked');
    expect(fifth.body.error.message).toMatch(/contact your doctor's office/);
    // Even the right answers no longer work.
    const right = await register(form(token, registrationId));
    expect(right.body.error.code).toBe('invitation_locked');
    expect((await invitationRow(invitationId)).status).toBe('locked');
  });

  it('says the username is taken only after the invitation checks pass', async () => {
    const first = await invite('taken1@example.com');
    expect((await register(form(first.token, first.registrationId, { username: 'TakenName1' }))).status).toBe(201);
    const second = await invite('taken2@example.com');
    const accounts = await accountCount();
    const wrongId = await register(form(second.token, 'ABCD-EFGH', { username: 'takenname1' }));
    expect(wrongId.body.error.code).toBe('verification_failed');
    const taken = await register(form(second.token, second.registrationId, { username: 'TAKENNAME1' }));
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('username_taken');
    expect(taken.body.error.fields?.username).toMatch(/taken/);
    expect(await accountCount()).toBe(accounts);
    expect((await invitationRow(second.invitationId)).status).toBe('sent');
  });

  it('refuses a used invitation', async () => {
    const { token, registrationId } = await invite('used@example.com');
    expect((await register(form(token, registrationId))).status).toBe(201);
    const again = await register(form(token, registrationId));
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('invitation_used');
  });

  it('refuses an expired invitation and marks it expired for the desk', async () => {
    const { token, registrationId, invitationId } = await invite('expired@example.com');
    await portal.handle.context.db.write((m) => m.update(InvitationEntity, { id: invitationId }, { expiresAt: new Date(Date.now() - 1000).toISOString() }));
    const accounts = await accountCount();
    const res = await register(form(token, registrationId));
    expect(res.body.error.code).toBe('invitation_expired');
    expect((await invitationRow(invitationId)).status).toBe('expired');
    expect(await accountCount()).toBe(accounts);
  });

  it('refuses a revoked invitation', async () => {
    const { token, registrationId, invitationId } = await invite('revoked@example.com');
    const push = await desk.push([desk.mutation('revokeInvitation', { invitationId })]);
    expect(push.body.outcomes[0]?.status).toBe('applied');
    const res = await register(form(token, registrationId));
    expect(res.body.error.code).toBe('invitation_revoked');
  });

  it('a resent invitation invalidates the old link and Registration ID', async () => {
    const email = 'resend@example.com';
    const old = await invite(email);
    const newInvitationId = randomUUID();
    const push = await desk.push([desk.mutation('sendInvitation', { patientId: old.patientId, invitationId: newInvitationId })]);
    expect(push.body.outcomes[0]?.status).toBe('applied');
    await portal.handle.flushMail();
    const mail = await waitForMail(portal.mailDir, email, { after: 1 });
    expect(mail.registrationId).not.toBe(old.registrationId);
    expect((await register(form(old.token, old.registrationId))).body.error.code).toBe('invitation_revoked');
    const token = new URL(mail.link ?? '').hash.replace('#token=', '');
    expect((await register(form(old.token, mail.registrationId ?? ''))).body.error.code).toBe('invitation_revoked');
    expect((await register(form(token, mail.registrationId ?? ''))).status).toBe(201);
  });

  it('refuses an unknown link token', async () => {
    const res = await register(form('not-a-real-token-000000000000000', 'ABCD-EFGH'));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('invitation_not_found');
  });

  it('refuses a cross-site form post', async () => {
    const { token, registrationId } = await invite('csrf@example.com');
    const accounts = await accountCount();
    const res = await api<ApiErrorResponse>(portal.url, '/api/registration', { body: form(token, registrationId), headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_failed');
    expect(await accountCount()).toBe(accounts);
  });

  it('shows the registration to the console after its next pull', async () => {
    const { token, registrationId, invitationId } = await invite('pulled@example.com');
    expect((await register(form(token, registrationId))).status).toBe(201);
    const pull = await api<PullResponse>(portal.url, '/api/sync/pull?epoch=&seq=0&limit=1000', { token: desk.token });
    const row = pull.body.changes.find((c) => c.table === 'invitation' && c.op === 'upsert' && c.row.id === invitationId);
    expect(row && row.op === 'upsert' && row.table === 'invitation' ? row.row.status : null).toBe('registered');
    // No secret ever leaves in a pull.
    expect(JSON.stringify(pull.body)).not.toMatch(/tokenHash|registrationIdHash/);
  });
});

describe('POST /api/registration/link-status (the page checks its link when it opens)', () => {
  const linkStatus = (token: unknown) => api<ApiErrorResponse & { status: string }>(portal.url, '/api/registration/link-status', { body: { token } });

  it('says a live link is live and changes nothing', async () => {
    const { token, invitationId } = await invite('status.live@example.com');
    const before = await invitationRow(invitationId);
    const res = await linkStatus(token);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('live');
    expect(await invitationRow(invitationId)).toEqual(before);
  });

  it('says a used, revoked or expired link is so, without consuming or writing anything', async () => {
    const used = await invite('status.used@example.com');
    expect((await register(form(used.token, used.registrationId))).status).toBe(201);
    expect((await linkStatus(used.token)).body.error.code).toBe('invitation_used');

    const revoked = await invite('status.revoked@example.com');
    expect((await desk.push([desk.mutation('revokeInvitation', { invitationId: revoked.invitationId })])).body.outcomes[0]?.status).toBe('applied');
    const revokedRes = await linkStatus(revoked.token);
    expect(revokedRes.status).toBe(410);
    expect(revokedRes.body.error.code).toBe('invitation_revoked');

    const expired = await invite('status.expired@example.com');
    await portal.handle.context.db.write((m) => m.update(InvitationEntity, { id: expired.invitationId }, { expiresAt: new Date(Date.now() - 1000).toISOString() }));
    const before = await invitationRow(expired.invitationId);
    const expiredRes = await linkStatus(expired.token);
    expect(expiredRes.status).toBe(410);
    expect(expiredRes.body.error.message).toBe('This invitation has expired. Ask your clinic to send a new one.');
    expect(await invitationRow(expired.invitationId)).toEqual(before);
  });

  it('answers an unknown token like a link that was never sent, and a malformed one as bad input', async () => {
    const unknown = await linkStatus('not-a-real-token-000000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('invitation_not_found');
    expect((await linkStatus(undefined)).status).toBe(400);
  });
});

describe('POST /api/registration/by-registration-id (no link: the Registration ID finds the invitation)', () => {
  const byId = (body: unknown) => api<ApiErrorResponse & { username: string }>(portal.url, '/api/registration/by-registration-id', { body });
  const withoutToken = (registrationId: string, overrides: Partial<RegistrationRequest> = {}) => {
    const body: Partial<RegistrationRequest> = form('', registrationId, overrides);
    delete body.token;
    return body;
  };

  it('registers with Date of Birth plus the typed Registration ID, and the invitation is used up', async () => {
    const { registrationId, invitationId, token } = await invite('byid.ok@example.com');
    const res = await byId(withoutToken(registrationId.toLowerCase(), { username: 'ByIdPatient1' }));
    expect(res.status).toBe(201);
    expect(res.body.username).toBe('ByIdPatient1');
    expect((await invitationRow(invitationId)).status).toBe('registered');
    // The link of the same invitation is used up too.
    expect((await register(form(token, registrationId))).body.error.code).toBe('invitation_used');
  });

  it('an ID that matches nothing gets the wrong-date-of-birth answer, counts on no invitation and writes no account', async () => {
    const { registrationId, invitationId } = await invite('byid.nomatch@example.com');
    const accounts = await accountCount();
    const unknown = await byId(withoutToken('ZZZZ-ZZZ2'));
    const wrongDob = await byId(withoutToken(registrationId, { dateOfBirth: '04/13/1986' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toEqual(wrongDob.body.error);
    expect(unknown.body.error.code).toBe('verification_failed');
    expect(await accountCount()).toBe(accounts);
    // Only the matching try with the wrong date of birth counted.
    expect((await invitationRow(invitationId)).failedTries).toBe(1);
  });

  it('a matching ID with a wrong date of birth counts toward that invitation’s lock, as the link does', async () => {
    const { registrationId, invitationId, token } = await invite('byid.lock@example.com');
    for (let i = 0; i < 2; i += 1) {
      expect((await byId(withoutToken(registrationId, { dateOfBirth: '01/01/1990' }))).body.error.code).toBe('verification_failed');
    }
    for (let i = 0; i < 2; i += 1) {
      expect((await register(form(token, registrationId, { dateOfBirth: '01/01/1990' }))).body.error.code).toBe('verification_failed');
    }
    const fifth = await byId(withoutToken(registrationId, { dateOfBirth: '01/01/1990' }));
    expect(fifth.body.error.code).toBe('invitation_locked');
    expect((await byId(withoutToken(registrationId))).body.error.code).toBe('invitation_locked');
    expect((await invitationRow(invitationId)).status).toBe('locked');
  });

  it('the ID of an invitation replaced by a resend no longer registers', async () => {
    const email = 'byid.resend@example.com';
    const old = await invite(email);
    const push = await desk.push([desk.mutation('sendInvitation', { patientId: old.patientId, invitationId: randomUUID() })]);
    expect(push.body.outcomes[0]?.status).toBe('applied');
    const accounts = await accountCount();
    const res = await byId(withoutToken(old.registrationId));
    expect(res.body.error.code).toBe('invitation_revoked');
    expect(await accountCount()).toBe(accounts);
  });
});
