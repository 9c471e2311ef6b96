import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../shared/api/errors';
import type { HostilePortal, Invitation, TableName } from './helpers';
import { DOMAIN_TABLES, expectRefused, register, registrationBody, startHostilePortal } from './helpers';
import { portable } from '../fixtures/sql';

/** Registration from an invitation: every wrong door stays shut, and a shut door writes no account. */
let hp: HostilePortal;
beforeAll(async () => {
  hp = await startHostilePortal();
});
afterAll(async () => {
  await hp.stop();
});

/** Everything a refused registration must leave alone (the invitation's try counter is checked per case). */
const UNTOUCHED: TableName[] = DOMAIN_TABLES.filter((t) => t !== 'invitation');
const invitationRow = (id: string) => hp.rows<{ status: string; failedTries: number }>('SELECT status, failedTries FROM invitation WHERE id = ?', [id]).then((r) => r[0]);
const accountsOf = (patientId: string) => hp.count('patient_account', 'patientId = ?', [patientId]);

describe('registration with an invitation that is not live', () => {
  it('refuses a made-up link token as "not valid" and writes nothing', async () => {
    const before = await hp.snapshot();
    const res = await register(hp, registrationBody({ token: 'x'.repeat(43), registrationId: 'ABCD-2345', dateOfBirth: '04/12/1986' }));
    expectRefused(res, 404, 'invitation_not_found');
    expect(await hp.snapshot()).toEqual(before);
  });

  it('refuses an expired invitation even with the right details, and creates no account', async () => {
    const inv = await hp.invite();
    await hp.db.write((m) => m.query(portable(hp.db.engine, 'UPDATE invitation SET expiresAt = ? WHERE id = ?'), [new Date(Date.now() - 60_000).toISOString(), inv.invitationId]));
    const before = await hp.snapshot(UNTOUCHED.filter((t) => t !== 'change_log'));
    const res = await register(hp, registrationBody(inv));
    expectRefused(res, 410, 'invitation_expired');
    expect(await hp.snapshot(UNTOUCHED.filter((t) => t !== 'change_log'))).toEqual(before);
    expect(await accountsOf(inv.patientId)).toBe(0);
    expect((await invitationRow(inv.invitationId))?.status).toBe('expired');
  });

  it('refuses a revoked invitation (the desk sent a newer one), and creates no account', async () => {
    const inv = await hp.invite();
    expect((await hp.receptionist.apply('revokeInvitation', { invitationId: inv.invitationId })).status).toBe('applied');
    const before = await hp.snapshot();
    const res = await register(hp, registrationBody(inv));
    expectRefused(res, 410, 'invitation_revoked');
    expect(await hp.snapshot()).toEqual(before);
    expect(await accountsOf(inv.patientId)).toBe(0);
  });

  it('refuses a second registration from a used invitation: one account, the first one, stays', async () => {
    const inv = await hp.invite();
    const first = registrationBody(inv);
    expect((await register(hp, first)).status).toBe(201);
    const before = await hp.snapshot();
    const res = await register(hp, registrationBody(inv, { password: 'Takeover9', confirmPassword: 'Takeover9' }));
    expectRefused(res, 410, 'invitation_used');
    expect(await hp.snapshot()).toEqual(before);
    const accounts = await hp.rows<{ username: string }>('SELECT username FROM patient_account WHERE patientId = ?', [inv.patientId]);
    expect(accounts).toEqual([{ username: first.username }]);
  });
});

describe('guessing the Registration ID and date of birth', () => {
  it('locks the invitation after 5 wrong Registration IDs; the right one is then refused too, and no account exists', async () => {
    const inv = await hp.invite();
    const before = await hp.snapshot(UNTOUCHED);
    const codes: string[] = [];
    for (const guess of ['AAAA-AAAA', 'BBBB-BBBB', 'CCCC-CCCC', 'DDDD-DDDD', 'EEEE-EEEE']) {
      const res = await register(hp, registrationBody(inv, { registrationId: guess }));
      codes.push(`${res.status} ${(res.body as ApiErrorResponse).error.code}`);
    }
    expect(codes).toEqual(['400 verification_failed', '400 verification_failed', '400 verification_failed', '400 verification_failed', '423 invitation_locked']);
    const right = await register(hp, registrationBody(inv));
    expectRefused(right, 423, 'invitation_locked');
    expect(await invitationRow(inv.invitationId)).toEqual({ status: 'locked', failedTries: 5 });
    expect(await accountsOf(inv.patientId)).toBe(0);
    // Only the lock itself reached the consoles (a change of the invitation); no account, patient or mail.
    const after = await hp.snapshot(UNTOUCHED);
    expect({ ...after, change_log: [] }).toEqual({ ...before, change_log: [] });
    expect(after.change_log?.length).toBe((before.change_log?.length ?? 0) + 1);
  });

  it('answers a wrong date of birth and a wrong Registration ID with the same body, naming neither field', async () => {
    const inv: Invitation = await hp.invite();
    const before = await hp.snapshot(UNTOUCHED);
    const wrongDob = await register(hp, registrationBody(inv, { dateOfBirth: '01/01/1970', username: 'SameName01' }));
    const wrongId = await register(hp, registrationBody(inv, { registrationId: 'ZZZZ-ZZZZ', username: 'SameName01' }));
    expectRefused(wrongDob, 400, 'verification_failed');
    expect({ status: wrongId.status, body: wrongId.body }).toEqual({ status: wrongDob.status, body: wrongDob.body });
    expect((wrongDob.body as ApiErrorResponse).error.fields).toBeUndefined();
    expect(await hp.snapshot(UNTOUCHED)).toEqual(before);
    expect(await invitationRow(inv.invitationId)).toEqual({ status: 'sent', failedTries: 2 });
  });

  it('never says "username taken" before the details are verified: a taken and a free username get the same answer', async () => {
    const inv = await hp.invite();
    const before = await hp.snapshot(UNTOUCHED);
    const taken = await register(hp, registrationBody(inv, { registrationId: 'ZZZZ-ZZZZ', username: hp.james.username }));
    const free = await register(hp, registrationBody(inv, { registrationId: 'ZZZZ-ZZZZ', username: `Free${randomUUID().slice(0, 8)}` }));
    expectRefused(taken, 400, 'verification_failed');
    expect(free.body).toEqual(taken.body);
    expect(await hp.snapshot(UNTOUCHED)).toEqual(before);
  });

  it('says "username taken" only once the details match, and then creates nothing and leaves the invitation usable', async () => {
    const inv = await hp.invite();
    const before = await hp.snapshot();
    const res = await register(hp, registrationBody(inv, { username: hp.james.username.toUpperCase() }));
    expectRefused(res, 409, 'username_taken');
    expect(await hp.snapshot()).toEqual(before);
    expect(await invitationRow(inv.invitationId)).toEqual({ status: 'sent', failedTries: 0 });
  });
});

describe('mass assignment through the registration form', () => {
  it('ignores patientId, role, clinicId, status and ids smuggled into the form: the account belongs to the invited patient', async () => {
    const inv = await hp.invite();
    const body = registrationBody(inv, {
      patientId: hp.ana.patientId,
      accountId: randomUUID(),
      id: randomUUID(),
      clinicId: randomUUID(),
      role: 'admin',
      status: 'registered',
      failedSignIns: -100,
      lockedUntil: '2999-01-01T00:00:00.000Z',
      usernameNormalized: hp.ana.username.toLowerCase(),
      passwordHash: 'plain',
    });
    const anaBefore = await hp.rows('SELECT * FROM patient_account WHERE patientId = ?', [hp.ana.patientId]);
    const res = await register(hp, body);
    expect(res.status).toBe(201);
    const [account] = await hp.rows<Record<string, unknown>>('SELECT * FROM patient_account WHERE usernameNormalized = ?', [String(body.username).toLowerCase()]);
    const [clinic] = await hp.rows<{ id: string }>('SELECT id FROM clinic');
    expect(account).toMatchObject({ patientId: inv.patientId, clinicId: clinic?.id, failedSignIns: 0, lockedUntil: null });
    expect(account?.id).not.toBe(body.accountId);
    expect(account?.id).not.toBe(body.id);
    expect(String(account?.passwordHash)).toMatch(/^\$argon2id\$/);
    expect(Object.keys(account ?? {})).not.toContain('role');
    expect(await hp.rows('SELECT * FROM patient_account WHERE patientId = ?', [hp.ana.patientId])).toEqual(anaBefore);
  });
});
