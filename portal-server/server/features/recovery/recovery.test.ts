import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RecoveryCompleteResponse, RecoveryStartResponse, RecoveryVerifyResponse } from '../../../../shared/api/account';
import { RECOVERY_FAILED_MESSAGE, RECOVERY_STARTED_MESSAGE } from '../../../../shared/api/account';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import { AccountRecoveryEntity } from '../../../../shared/node/entities/recovery';
import { AuditEventEntity, ClinicEntity, PatientAccountEntity } from '../../../../shared/node/entities/server';
import { readMails, waitForMail } from '../../../../test/fixtures/mail';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicTeam, registerPatient, signInPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, api, startTestPortal } from '../../../../test/fixtures/portal';

/**
 * Forgot password / forgot username against a real server. The server trusts the loopback proxy,
 * so each test speaks from its own address (X-Forwarded-For) and the per-address limits of one
 * test do not spill into the next.
 */
let portal: TestPortal;
let team: ClinicTeam;
let ann: PatientClient;

beforeAll(async () => {
  portal = await startTestPortal({ config: { trustProxy: 'loopback' } });
  team = await clinicTeam(portal);
  ann = await registerPatient(portal, team.desk.console, { givenName: 'Ann', familyName: 'Avery' });
});
afterAll(async () => {
  await portal.stop();
});

const realNow = (): Date => new Date();
afterEach(() => {
  portal.handle.context.now = realNow;
});

let patientCounter = 0;
/** A fresh registered patient: at most five codes an hour reach one inbox, so tests do not share one. */
function newPatient(): Promise<PatientClient> {
  patientCounter += 1;
  return registerPatient(portal, team.desk.console, { givenName: 'Pat', familyName: `Number${patientCounter}` });
}

let addressCounter = 0;
/** A fresh client address for one test. */
function newAddress(): string {
  addressCounter += 1;
  return `203.0.113.${addressCounter}`;
}

type Result<T> = { status: number; body: T & ApiErrorResponse; headers: Headers };
const post = <T>(path: string, body: unknown, ip: string): Promise<Result<T>> =>
  api<T & ApiErrorResponse>(portal.url, path, { body, headers: { 'x-forwarded-for': ip } });
const start = (body: unknown, ip: string) => post<RecoveryStartResponse>('/api/recovery/start', body, ip);
const verify = (body: unknown, ip: string) => post<RecoveryVerifyResponse>('/api/recovery/verify', body, ip);
const complete = (body: unknown, ip: string) => post<RecoveryCompleteResponse>('/api/recovery/complete', body, ip);

const ANSWERS: Record<string, string> = { 'What was the name of your first pet?': 'Rex', 'In what city were you born?': 'Springfield' };
const db = () => portal.handle.context.db;
const mailsTo = async (email: string) => (await readMails(portal.mailDir)).filter((m) => m.to.includes(email));

/** Starts a recovery for `who` and reads the code out of the delivered email, like the patient would. */
async function startWithCode(who: PatientClient, ip: string, kind: 'password' | 'username' = 'password') {
  const before = (await mailsTo(who.email)).length;
  const body = kind === 'password' ? { kind, username: who.username } : { kind, email: who.email, dateOfBirth: '04/12/1986' };
  const res = await start(body, ip);
  expect(res.status).toBe(202);
  await portal.handle.flushMail();
  const mail = await waitForMail(portal.mailDir, who.email, { after: before });
  expect(mail.code).toMatch(/^\d{6}$/);
  return { recoveryId: res.body.recoveryId, code: mail.code ?? '', mail };
}

async function passwordWorks(username: string, password: string): Promise<boolean> {
  const res = await api(portal.url, '/api/session', { body: { username, password }, headers: { 'x-forwarded-for': newAddress() } });
  return res.status === 200;
}
const recoveryRow = (id: string) => db().read((m) => m.findOneByOrFail(AccountRecoveryEntity, { id }));
const accountOf = (username: string) => db().read((m) => m.findOneByOrFail(PatientAccountEntity, { usernameNormalized: username.toLowerCase() }));

describe('starting a recovery', () => {
  it('answers an existing and an unknown username alike, and mails a PHI-free code only to the match', async () => {
    const ip = newAddress();
    const before = (await readMails(portal.mailDir)).length;
    const annBefore = (await mailsTo(ann.email)).length;
    const known = await start({ kind: 'password', username: ann.username.toUpperCase() }, ip);
    const unknown = await start({ kind: 'password', username: 'NoSuchPatient9' }, ip);
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(known.status);
    // Same headers (names and length) too; only the random recoveryId differs.
    const shape = (h: Headers) => [...h.keys()].filter((k) => k !== 'date').sort();
    expect(shape(unknown.headers)).toEqual(shape(known.headers));
    expect(unknown.headers.get('content-length')).toBe(known.headers.get('content-length'));
    expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(known.body).sort());
    expect({ ...unknown.body, recoveryId: '' }).toEqual({ ...known.body, recoveryId: '' });
    expect(known.body.message).toBe(RECOVERY_STARTED_MESSAGE);
    for (const id of [known.body.recoveryId, unknown.body.recoveryId]) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    expect(known.body.recoveryId).not.toBe(unknown.body.recoveryId);

    await portal.handle.flushMail();
    const mail = await waitForMail(portal.mailDir, ann.email, { after: annBefore });
    expect((await readMails(portal.mailDir)).length).toBe(before + 1);
    expect(mail.subject).toContain('Patient Portal code');
    expect(mail.text).toMatch(/expires in 15 minutes/);
    // No name, username, date of birth or anything about health.
    for (const secret of ['Ann', 'Avery', ann.username, '1986']) {
      expect(mail.text).not.toContain(secret);
      expect(mail.html).not.toContain(secret);
    }
    // The code is kept only as an HMAC bound to its recovery.
    const row = await recoveryRow(known.body.recoveryId);
    expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(mail.code ?? 'no code');
    expect((await recoveryRow(unknown.body.recoveryId)).accountId).toBeNull();
  });

  it('forgot username: the email on file (any case) with the date of birth; a wrong date or email is answered the same', async () => {
    const ip = newAddress();
    const before = (await mailsTo(ann.email)).length;
    const right = await start({ kind: 'username', email: ann.email.toUpperCase(), dateOfBirth: '4/12/1986' }, ip);
    const wrongDob = await start({ kind: 'username', email: ann.email, dateOfBirth: '04/13/1986' }, ip);
    const wrongEmail = await start({ kind: 'username', email: 'nobody@example.com', dateOfBirth: '04/12/1986' }, ip);
    for (const res of [right, wrongDob, wrongEmail]) {
      expect(res.status).toBe(202);
      expect({ ...res.body, recoveryId: '' }).toEqual({ ...right.body, recoveryId: '' });
    }
    await portal.handle.flushMail();
    await waitForMail(portal.mailDir, ann.email, { after: before });
    expect((await mailsTo(ann.email)).length).toBe(before + 1);
    expect((await recoveryRow(wrongDob.body.recoveryId)).accountId).toBeNull();
  });

  it('mails one inbox at most five codes an hour; further requests look the same but cannot succeed', async () => {
    const fay = await newPatient();
    const ip = newAddress();
    for (let i = 0; i < 5; i += 1) {
      await startWithCode(fay, ip);
    }
    const sixth = await start({ kind: 'password', username: fay.username }, ip);
    expect(sixth.status).toBe(202);
    await portal.handle.flushMail();
    expect((await mailsTo(fay.email)).filter((m) => m.code !== null)).toHaveLength(5);
    expect((await recoveryRow(sixth.body.recoveryId)).accountId).toBeNull();
  });

  it('refuses a cross-site start and stores nothing', async () => {
    const rows = await db().read((m) => m.count(AccountRecoveryEntity));
    const res = await api<ApiErrorResponse>(portal.url, '/api/recovery/start', {
      body: { kind: 'password', username: ann.username },
      headers: { origin: 'https://evil.example', 'x-forwarded-for': newAddress() },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_failed');
    expect(await db().read((m) => m.count(AccountRecoveryEntity))).toBe(rows);
  });

  it('refuses malformed details field by field and stores nothing', async () => {
    const ip = newAddress();
    const count = () => db().read((m) => m.count(AccountRecoveryEntity));
    const rows = await count();
    const bad = await start({ kind: 'username', email: 'not-an-email', dateOfBirth: '13/45/1986' }, ip);
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields ?? {}).sort()).toEqual(['dateOfBirth', 'email']);
    expect((await start({ kind: 'other', username: 'x' }, ip)).body.error.fields?.kind).toBeDefined();
    expect((await start({ kind: 'password', username: '' }, ip)).body.error.fields?.username).toBe('Enter your username.');
    expect(await count()).toBe(rows);
  });

  it('is limited per address: the eleventh start in 15 minutes is refused, another address is not', async () => {
    const ip = newAddress();
    for (let i = 0; i < 10; i += 1) {
      expect((await start({ kind: 'password', username: `Nobody${i}xyz` }, ip)).status).toBe(202);
    }
    const limited = await start({ kind: 'password', username: 'NobodyMore1' }, ip);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect((await start({ kind: 'password', username: 'NobodyMore1' }, newAddress())).status).toBe(202);
  });
});

describe('verifying the code', () => {
  it('gives one identical error for an unknown id, a malformed id, a recovery that matched nothing and a wrong code', async () => {
    const ip = newAddress();
    const { recoveryId, code } = await startWithCode(await newPatient(), ip);
    const nomatch = await start({ kind: 'password', username: 'NoSuchPatient9' }, ip);
    const wrongCode = code === '000000' ? '000001' : '000000';
    const answers = [
      await verify({ recoveryId: randomUUID(), code }, ip),
      await verify({ recoveryId: 'not-an-id', code }, ip),
      await verify({ recoveryId: nomatch.body.recoveryId, code }, ip),
      await verify({ recoveryId, code: wrongCode }, ip),
    ];
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'verification_failed', message: RECOVERY_FAILED_MESSAGE } });
    }
    // The right code (typed with a space) names one of Ann's two questions.
    const ok = await verify({ recoveryId, code: `${code.slice(0, 3)} ${code.slice(3)}` }, ip);
    expect(ok.status).toBe(200);
    expect(Object.keys(ANSWERS)).toContain(ok.body.question);
    // Asking again shows the same question: a code holder cannot shop for the easier one.
    expect((await verify({ recoveryId, code }, ip)).body.question).toBe(ok.body.question);
  });

  it('a code that is not six digits is a field error', async () => {
    const res = await verify({ recoveryId: randomUUID(), code: '12ab' }, newAddress());
    expect(res.status).toBe(400);
    expect(res.body.error.fields?.code).toMatch(/6 digits/);
  });

  it('five wrong codes kill the recovery: the right code no longer works', async () => {
    const ip = newAddress();
    const { recoveryId, code } = await startWithCode(await newPatient(), ip);
    const wrongCode = code === '999999' ? '999998' : '999999';
    for (let i = 0; i < 5; i += 1) {
      expect((await verify({ recoveryId, code: wrongCode }, ip)).body.error.code).toBe('verification_failed');
    }
    expect((await recoveryRow(recoveryId)).failedTries).toBe(5);
    const dead = await verify({ recoveryId, code }, ip);
    expect(dead.status).toBe(400);
    expect(dead.body.error.message).toBe(RECOVERY_FAILED_MESSAGE);
    expect((await complete({ recoveryId, code, answer: 'Rex', password: 'Another22', confirmPassword: 'Another22' }, ip)).body.error.message).toBe(RECOVERY_FAILED_MESSAGE);
    expect((await recoveryRow(recoveryId)).failedTries).toBe(5);
  });

  it('a code expires after 15 minutes', async () => {
    const ip = newAddress();
    const { recoveryId, code } = await startWithCode(await newPatient(), ip);
    const startedAt = Date.now();
    portal.handle.context.now = () => new Date(startedAt + 14 * 60_000);
    expect((await verify({ recoveryId, code }, ip)).status).toBe(200);
    portal.handle.context.now = () => new Date(startedAt + 15 * 60_000 + 1000);
    const late = await verify({ recoveryId, code }, ip);
    expect(late.status).toBe(400);
    expect(late.body.error.message).toBe(RECOVERY_FAILED_MESSAGE);
  });

  it('only the newest code works: starting again ends the earlier recovery', async () => {
    const ip = newAddress();
    const pat = await newPatient();
    const first = await startWithCode(pat, ip);
    const second = await startWithCode(pat, ip);
    expect((await verify(first, ip)).body.error.code).toBe('verification_failed');
    expect((await verify(second, ip)).status).toBe(200);
  });
});

describe('completing a recovery', () => {
  it('forgot password: the answer and a new password reset it, sign out every session and lift a lockout', async () => {
    const bea = await registerPatient(portal, team.desk.console, { givenName: 'Bea', familyName: 'Bishop' });
    const other = await signInPatient(portal.url, bea.username, 'Password1');
    await db().write((m) => m.update(PatientAccountEntity, { usernameNormalized: bea.username.toLowerCase() }, { failedSignIns: 7, lockedUntil: new Date(Date.now() + 3_600_000).toISOString() }));
    const ip = newAddress();
    const { recoveryId, code } = await startWithCode(bea, ip);
    const { body: asked } = await verify({ recoveryId, code }, ip);
    const answer = `  ${(ANSWERS[asked.question] ?? '').toUpperCase()} `;
    const before = (await mailsTo(bea.email)).length;

    const done = await complete({ recoveryId, code, answer, password: 'Recover22', confirmPassword: 'Recover22' }, ip);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ kind: 'password', username: bea.username });

    for (const session of [bea, other]) {
      expect((await session.get('/api/session')).status).toBe(401);
    }
    const account = await accountOf(bea.username);
    expect(account).toMatchObject({ failedSignIns: 0, lockedUntil: null });
    expect(await passwordWorks(bea.username, 'Password1')).toBe(false);
    expect(await passwordWorks(bea.username, 'Recover22')).toBe(true);
    const events = await db().read((m) => m.findBy(AuditEventEntity, { actorId: account.id, action: 'patient.password_reset' }));
    expect(events).toHaveLength(1);
    await portal.handle.flushMail();
    const notice = await waitForMail(portal.mailDir, bea.email, { after: before });
    expect(notice.text).toMatch(/password of your .* account was changed/);

    // The code works once.
    expect((await verify({ recoveryId, code }, ip)).body.error.message).toBe(RECOVERY_FAILED_MESSAGE);
    const again = await complete({ recoveryId, code, answer, password: 'Again2222', confirmPassword: 'Again2222' }, ip);
    expect(again.body.error.message).toBe(RECOVERY_FAILED_MESSAGE);
    expect(await passwordWorks(bea.username, 'Recover22')).toBe(true);
  });

  it('a wrong answer is refused and counted with the wrong codes; at five the recovery is dead and nothing changed', async () => {
    const cal = await registerPatient(portal, team.desk.console, { givenName: 'Cal', familyName: 'Cole' });
    const ip = newAddress();
    const { recoveryId, code } = await startWithCode(cal, ip);
    const { body: asked } = await verify({ recoveryId, code }, ip);
    const right = ANSWERS[asked.question] ?? '';
    const hashBefore = (await accountOf(cal.username)).passwordHash;
    const attempt = (answer: string) => complete({ recoveryId, code, answer, password: 'Changed22', confirmPassword: 'Changed22' }, ip);

    const wrong = await attempt('Fluffy');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('verification_failed');
    expect(wrong.body.error.fields?.answer).toMatch(/does not match/);
    expect((await recoveryRow(recoveryId)).failedTries).toBe(1);
    // A wrong code in between counts against the same five.
    await verify({ recoveryId, code: code === '123456' ? '654321' : '123456' }, ip);
    for (let i = 0; i < 2; i += 1) {
      expect((await attempt('Fluffy')).body.error.fields?.answer).toBeDefined();
    }
    const fifth = await attempt('Fluffy');
    expect(fifth.body.error).toEqual({ code: 'verification_failed', message: RECOVERY_FAILED_MESSAGE });
    expect((await attempt(right)).body.error.message).toBe(RECOVERY_FAILED_MESSAGE);
    expect((await accountOf(cal.username)).passwordHash).toBe(hashBefore);
    expect((await cal.get('/api/session')).status).toBe(200);
  });

  it('the new password must follow the clinic policy; a refused password costs no try', async () => {
    const ip = newAddress();
    const dee = await registerPatient(portal, team.desk.console, { givenName: 'Dee', familyName: 'Dunn' });
    const { recoveryId, code } = await startWithCode(dee, ip);
    const { body: asked } = await verify({ recoveryId, code }, ip);
    const answer = ANSWERS[asked.question] ?? '';
    const short = await complete({ recoveryId, code, answer, password: 'short', confirmPassword: 'other' }, ip);
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('validation_failed');
    expect(Object.keys(short.body.error.fields ?? {}).sort()).toEqual(['confirmPassword', 'password']);

    // A clinic on the strong policy wants a passphrase.
    await db().write((m) => m.update(ClinicEntity, { name: TEST_CLINIC.name }, { passwordPolicy: 'strong' }));
    try {
      const weak = await complete({ recoveryId, code, answer, password: 'Password22', confirmPassword: 'Password22' }, ip);
      expect(weak.body.error.fields?.password).toMatch(/between 15 and 64/);
      expect((await recoveryRow(recoveryId)).failedTries).toBe(0);
      const phrase = 'maple river lantern 7';
      expect((await complete({ recoveryId, code, answer, password: phrase, confirmPassword: phrase }, ip)).status).toBe(200);
      expect(await passwordWorks(dee.username, phrase)).toBe(true);
    } finally {
      await db().write((m) => m.update(ClinicEntity, { name: TEST_CLINIC.name }, { passwordPolicy: 'default' }));
    }
  });

  it('forgot username: the code and the answer reveal the username and change nothing else', async () => {
    const ip = newAddress();
    const eve = await newPatient();
    const { recoveryId, code } = await startWithCode(eve, ip, 'username');
    const { body: asked } = await verify({ recoveryId, code }, ip);
    const hashBefore = (await accountOf(eve.username)).passwordHash;
    const done = await complete({ recoveryId, code, answer: ANSWERS[asked.question] ?? '' }, ip);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ kind: 'username', username: eve.username });
    expect((await accountOf(eve.username)).passwordHash).toBe(hashBefore);
    expect((await eve.get('/api/session')).status).toBe(200);
    expect((await complete({ recoveryId, code, answer: ANSWERS[asked.question] ?? '' }, ip)).body.error.message).toBe(RECOVERY_FAILED_MESSAGE);
  });

  it('a recovery that matched no account fails exactly like a wrong code on a real one', async () => {
    const ip = newAddress();
    const real = await startWithCode(await newPatient(), ip);
    const nomatch = await start({ kind: 'username', email: 'nobody@example.com', dateOfBirth: '01/01/1990' }, ip);
    const body = { answer: 'Rex', password: 'Whatever22', confirmPassword: 'Whatever22' };
    const a = await complete({ ...body, recoveryId: nomatch.body.recoveryId, code: real.code }, ip);
    const b = await complete({ ...body, recoveryId: real.recoveryId, code: real.code === '111111' ? '222222' : '111111' }, ip);
    expect(a.status).toBe(b.status);
    expect(a.body).toEqual(b.body);
    expect((await recoveryRow(nomatch.body.recoveryId)).failedTries).toBe(1);
  });
});
