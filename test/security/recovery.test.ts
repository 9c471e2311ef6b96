import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecoveryStartResponse } from '../../shared/api/account';
import { readMails, waitForMail } from '../fixtures/mail';
import type { HostilePortal, HttpResult, PatientBrowser, TableName } from './helpers';
import { DOMAIN_TABLES, SQL_STRINGS, expectRefused, http, nextIp, signInPatient, startHostilePortal } from './helpers';
import { portable } from '../fixtures/sql';

/**
 * Forgot password / forgot username: the start never says whether an account exists, a code is
 * single-use and cannot be guessed, and no refused step changes a password or ends a session.
 */
let hp: HostilePortal;
let anaBrowser: PatientBrowser;
const ANA_EMAIL = 'ana.silva@example.com';

beforeAll(async () => {
  hp = await startHostilePortal();
  anaBrowser = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
});
afterAll(async () => {
  await hp.stop();
});

/** What a refused recovery step must leave alone: accounts (passwords), sessions, patients, mail. */
const ACCOUNT_TABLES: TableName[] = [...DOMAIN_TABLES, 'patient_session'];

const post = <T = unknown>(path: string, body: unknown, ip = nextIp()): Promise<HttpResult<T>> => http<T>(hp.url, path, { body, headers: { origin: hp.url, 'x-forwarded-for': ip } });
const start = (body: unknown, ip?: string) => post<RecoveryStartResponse>('/api/recovery/start', body, ip);
const mailsTo = async (to: string) => (await readMails(hp.portal.mailDir)).filter((m) => m.to.includes(to)).length;

/** Starts a password recovery for Ana and reads the code from her inbox. */
async function anaRecovery(): Promise<{ recoveryId: string; code: string }> {
  const before = await mailsTo(ANA_EMAIL);
  const res = await start({ kind: 'password', username: hp.ana.username });
  expect(res.status).toBe(202);
  await hp.portal.handle.flushMail();
  const mail = await waitForMail(hp.portal.mailDir, ANA_EMAIL, { after: before });
  return { recoveryId: res.body.recoveryId, code: mail.code ?? '' };
}
const complete = (recoveryId: string, code: string, answer = 'Springfield', password = 'Stolen2Account') =>
  post('/api/recovery/complete', { recoveryId, code, answer, password, confirmPassword: password });
const shape = (res: HttpResult<RecoveryStartResponse>) => ({ status: res.status, keys: Object.keys(res.body).sort(), message: res.body.message, cookie: res.headers.get('set-cookie') });

describe('starting a recovery', () => {
  it('answers the same for an existing and an unknown username, and for a matching and a made-up email + birth date', async () => {
    const known = await start({ kind: 'password', username: hp.james.username });
    const unknown = await start({ kind: 'password', username: 'NoSuchPatient9' });
    expect(shape(known)).toEqual(shape(unknown));
    expect(known.status).toBe(202);
    const knownEmail = await start({ kind: 'username', email: 'james.walker@example.com', dateOfBirth: '09/03/1972' });
    const wrongBirth = await start({ kind: 'username', email: 'james.walker@example.com', dateOfBirth: '01/01/1980' });
    const unknownEmail = await start({ kind: 'username', email: 'nobody@example.com', dateOfBirth: '09/03/1972' });
    expect(shape(knownEmail)).toEqual(shape(unknownEmail));
    expect(shape(wrongBirth)).toEqual(shape(unknownEmail));
  });

  it('with SQL or wildcards in the username or email matches nobody and mails nobody', async () => {
    const before = await hp.snapshot();
    const reference = await start({ kind: 'password', username: 'NoSuchPatient9' });
    for (const sql of SQL_STRINGS) {
      expect(shape(await start({ kind: 'password', username: sql }))).toEqual(shape(reference));
    }
    for (const email of ['%@example.com', '_na.silva@example.com', "x'@example.com' OR 1=1 --"]) {
      const res = await start({ kind: 'username', email, dateOfBirth: '01/22/1990' });
      expect([202, 400]).toContain(res.status);
    }
    expect(await hp.snapshot()).toEqual(before);
  });
});

describe('the emailed code', () => {
  it('cannot be guessed: after 5 wrong codes even the right one is refused, and the password stays', async () => {
    const { recoveryId, code } = await anaRecovery();
    const before = await hp.snapshot(ACCOUNT_TABLES);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      expectRefused(await post('/api/recovery/verify', { recoveryId, code: wrong }), 400, 'verification_failed');
    }
    expectRefused(await post('/api/recovery/verify', { recoveryId, code }), 400, 'verification_failed');
    expectRefused(await complete(recoveryId, code), 400, 'verification_failed');
    expect(await hp.snapshot(ACCOUNT_TABLES)).toEqual(before);
    expect((await anaBrowser.get('/api/session')).status).toBe(200);
  });

  it('works once: replaying a used code is refused, and the password set with it stays', async () => {
    const { recoveryId, code } = await anaRecovery();
    const done = await complete(recoveryId, code, 'springfield', 'Portal2Go');
    expect(done.status).toBe(200);
    const before = await hp.snapshot(ACCOUNT_TABLES);
    expectRefused(await complete(recoveryId, code, 'Springfield', 'Replayed2Code'), 400, 'verification_failed');
    expectRefused(await post('/api/recovery/verify', { recoveryId, code }), 400, 'verification_failed');
    expect(await hp.snapshot(ACCOUNT_TABLES)).toEqual(before);
    anaBrowser = await signInPatient(hp.url, hp.ana.username, 'Portal2Go');
  });

  it('belongs to its own recovery, and expires after 15 minutes', async () => {
    const first = await anaRecovery();
    const other = await start({ kind: 'password', username: 'NoSuchPatient9' });
    const before = await hp.snapshot(ACCOUNT_TABLES);
    expectRefused(await complete(other.body.recoveryId, first.code), 400, 'verification_failed');
    await hp.db.write((m) => m.query(portable(hp.db.engine, 'UPDATE account_recovery SET expiresAt = ? WHERE id = ?'), [new Date(Date.now() - 1000).toISOString(), first.recoveryId]));
    expectRefused(await complete(first.recoveryId, first.code), 400, 'verification_failed');
    expect(await hp.snapshot(ACCOUNT_TABLES)).toEqual(before);
  });

  it('with the right code but a wrong security answer changes no password and ends no session', async () => {
    const { recoveryId, code } = await anaRecovery();
    const before = await hp.snapshot(ACCOUNT_TABLES);
    for (const answer of ['Shelbyville', "' OR 1=1 --", '%']) {
      expectRefused(await complete(recoveryId, code, answer), 400, 'verification_failed');
    }
    expect(await hp.snapshot(ACCOUNT_TABLES)).toEqual(before);
    expect((await anaBrowser.get('/api/session')).status).toBe(200);
  });
});

describe('the front desk\'s password-reset link', () => {
  it('cannot be guessed or forged: made-up, malformed and SQL tokens are "not found" and change no password', async () => {
    const before = await hp.snapshot(ACCOUNT_TABLES);
    for (const token of ['x'.repeat(43), ...SQL_STRINGS, '']) {
      const res = await post('/api/password-reset', { token, password: 'Stolen2Account', confirmPassword: 'Stolen2Account' });
      expect([400, 404]).toContain(res.status);
      expectRefused(res, res.status, res.status === 404 ? 'not_found' : 'validation_failed');
    }
    expect(await hp.snapshot(ACCOUNT_TABLES)).toEqual(before);
    expect((await anaBrowser.get('/api/session')).status).toBe(200);
  });
});
