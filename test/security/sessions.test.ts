import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatientSessionView } from '../../shared/api/types';
import { SESSION_COOKIE } from '../../shared/api/types';
import type { HostilePortal, HttpResult } from './helpers';
import { DOMAIN_TABLES, expectRefused, http, nextIp, sessionCookieOf, signInPatient, startHostilePortal } from './helpers';
import { portable } from '../fixtures/sql';

/** Sign-in, sessions and their cookie: no account oracle, no fixation, no cookie a script or another site can use. */
let hp: HostilePortal;
beforeAll(async () => {
  hp = await startHostilePortal();
});
afterAll(async () => {
  await hp.stop();
});

const signIn = (username: string, password: string, headers: Record<string, string> = {}) =>
  http<PatientSessionView>(hp.url, '/api/session', { body: { username, password }, headers: { origin: hp.url, 'x-forwarded-for': nextIp(), ...headers } });
const answer = (res: HttpResult) => ({ status: res.status, body: res.body, cookie: res.headers.get('set-cookie'), retryAfter: res.headers.has('retry-after') });

describe('username enumeration', () => {
  it('patient sign-in: an unknown username and a known one with a wrong password get the same status and body, and no cookie', async () => {
    const before = await hp.snapshot(['patient_session']);
    const unknown = await signIn('NobodyHere99', 'Wrong2Password');
    const known = await signIn(hp.ana.username, 'Wrong2Password');
    expectRefused(unknown, 401, 'invalid_credentials');
    expect(answer(known)).toEqual(answer(unknown));
    expect(unknown.headers.get('set-cookie')).toBeNull();
    expect(await hp.snapshot(['patient_session'])).toEqual(before);
  });

  it('patient sign-in: many wrong tries answer the same for an existing and an unknown username (the lockout is no oracle)', async () => {
    // A fresh account, so the lock does not get in the other cases' way.
    const inv = await hp.invite();
    const username = `Locked${Date.now().toString(36)}`;
    const reg = await http(hp.url, '/api/registration', {
      body: { token: inv.token, username, password: 'Password1', confirmPassword: 'Password1', question1: 'first-pet', answer1: 'Rex', question2: 'birth-city', answer2: 'Springfield', dateOfBirth: inv.dateOfBirth, registrationId: inv.registrationId },
      headers: { origin: hp.url, 'x-forwarded-for': nextIp() },
    });
    expect(reg.status).toBe(201);
    const before = await hp.snapshot(['patient_session']);
    const ip = nextIp();
    const existing: unknown[] = [];
    const unknown: unknown[] = [];
    for (let i = 0; i < 7; i += 1) {
      existing.push(answer(await signIn(username, `Wrong${i}Password`, { 'x-forwarded-for': ip })));
    }
    const ip2 = nextIp();
    for (let i = 0; i < 7; i += 1) {
      unknown.push(answer(await signIn(`${username}x`, `Wrong${i}Password`, { 'x-forwarded-for': ip2 })));
    }
    expect(existing).toEqual(unknown);
    expect(await hp.snapshot(['patient_session'])).toEqual(before);
  });

  it('staff sign-in: many wrong tries answer the same for an existing and an unknown username', async () => {
    const before = await hp.snapshot(['device']);
    const staffSignIn = (username: string, password: string, ip: string) =>
      http(hp.url, '/api/staff/sign-in', { body: { username, password, deviceName: 'probe' }, headers: { 'x-forwarded-for': ip } });
    const created = await hp.admin.call('/api/staff/users', { body: { username: 'target01', displayName: 'Tara Target', role: 'receptionist', password: 'Target-Harbor-Lamp-17' } });
    expect(created.status).toBe(201);
    const existing: unknown[] = [];
    const unknown: unknown[] = [];
    const ip = nextIp();
    const ip2 = nextIp();
    for (let i = 0; i < 7; i += 1) {
      existing.push(answer(await staffSignIn('target01', `Wrong${i}Password`, ip)));
      unknown.push(answer(await staffSignIn('target02', `Wrong${i}Password`, ip2)));
    }
    expect(existing).toEqual(unknown);
    expect(await hp.snapshot(['device'])).toEqual(before);
  });

  it('staff sign-in: unknown username, wrong password and a deactivated account get the same status and body, and no device', async () => {
    const created = await hp.admin.call<{ id: string }>('/api/staff/users', { body: { username: 'leaver01', displayName: 'Lee Leaver', role: 'receptionist', password: 'Leaving-Soon-Birch-38' } });
    expect(created.status).toBe(201);
    expect((await hp.admin.call(`/api/staff/users/${created.body.id}`, { method: 'PATCH', body: { active: false } })).status).toBe(200);
    // Failed tries are counted on the account (for its lockout); nothing else about it may move.
    const staffRows = () => hp.rows('SELECT id, passwordHash, active, role, version FROM staff_user ORDER BY id');
    const before = { devices: await hp.snapshot(['device']), staff: await staffRows() };
    const staffSignIn = (username: string, password: string) =>
      http(hp.url, '/api/staff/sign-in', { body: { username, password, deviceName: 'probe' }, headers: { 'x-forwarded-for': nextIp() } });
    const unknown = await staffSignIn('nosuchstaff', 'Wrong2Password');
    const wrong = await staffSignIn('frontdesk1', 'Wrong2Password');
    const inactive = await staffSignIn('leaver01', 'Leaving-Soon-Birch-38');
    expectRefused(unknown, 401, 'invalid_credentials');
    expect(answer(wrong)).toEqual(answer(unknown));
    expect(answer(inactive)).toEqual(answer(unknown));
    expect({ devices: await hp.snapshot(['device']), staff: await staffRows() }).toEqual(before);
  });
});

describe('session fixation', () => {
  it('ignores a cookie planted before sign-in: sign-in issues a new id, and the planted value never becomes a session', async () => {
    const planted = 'attacker-chosen-session-id-0123456789abcdef';
    const res = await signIn(hp.james.username, hp.james.password, { cookie: `${SESSION_COOKIE}=${planted}` });
    expect(res.status).toBe(200);
    const issued = sessionCookieOf(res);
    expect(issued).toBeTruthy();
    expect(issued).not.toBe(planted);
    const withPlanted = await http(hp.url, '/api/session', { headers: { cookie: `${SESSION_COOKIE}=${planted}` } });
    expectRefused(withPlanted, 401, 'not_signed_in');
    const withIssued = await http(hp.url, '/api/session', { headers: { cookie: `${SESSION_COOKIE}=${issued}` } });
    expect(withIssued.status).toBe(200);
  });

  it('issues a fresh session id and CSRF token at every sign-in, even from a browser that is already signed in', async () => {
    const first = await signInPatient(hp.url, hp.james.username, hp.james.password);
    const again = await signIn(hp.james.username, hp.james.password, { cookie: first.cookieHeader });
    expect(again.status).toBe(200);
    expect(sessionCookieOf(again)).not.toBe(first.cookie);
    expect(again.body.csrfToken).not.toBe(first.csrfToken);
  });
});

describe('the session cookie', () => {
  it('is __Host- prefixed, HttpOnly, Secure, SameSite=Lax, Path=/, has no Domain and lives at most 12 hours', async () => {
    const res = await signIn(hp.ana.username, hp.ana.password);
    const setCookie = res.headers.get('set-cookie') ?? '';
    const [nameValue, ...attributes] = setCookie.split(';').map((s) => s.trim());
    expect(nameValue?.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    expect(SESSION_COOKIE.startsWith('__Host-')).toBe(true);
    const attrs = attributes.map((a) => a.toLowerCase());
    expect(attrs).toEqual(expect.arrayContaining(['httponly', 'secure', 'samesite=lax', 'path=/']));
    expect(attrs.some((a) => a.startsWith('domain'))).toBe(false);
    const maxAge = Number(attrs.find((a) => a.startsWith('max-age='))?.slice('max-age='.length));
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(12 * 60 * 60);
  });

  it('is stored only as a keyed hash: neither the session id nor a device token appears in the database files', async () => {
    const browser = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
    const files = readdirSync(hp.portal.dataDir).filter((f) => f.startsWith('portal.sqlite'));
    const bytes = files.map((f) => readFileSync(join(hp.portal.dataDir, f)).toString('latin1')).join('');
    expect(bytes).not.toContain(browser.cookie);
    expect(bytes).not.toContain(hp.physician.token);
    const hashes = await hp.rows<{ idHash: string }>('SELECT idHash FROM patient_session');
    expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h.idHash))).toBe(true);
  });

  it('dies at sign-out on the server: replaying the old cookie is refused, and the response clears it', async () => {
    const browser = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
    const out = await browser.send('/api/session', undefined, { method: 'DELETE' });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
    const before = await hp.snapshot();
    expectRefused(await browser.send('/api/record/view'), 401, 'not_signed_in');
    expectRefused(await browser.send('/api/messages', { subject: 'Still here?', body: 'Replay after sign-out' }), 401, 'not_signed_in');
    expect(await hp.snapshot()).toEqual(before);
  });

  it('expires after 15 idle minutes on the server, whatever the browser keeps', async () => {
    const browser = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
    await hp.db.write((m) => m.query(portable(hp.db.engine, 'UPDATE patient_session SET lastSeenAt = ? WHERE accountId = ?'), [new Date(Date.now() - 16 * 60_000).toISOString(), hp.ana.accountId]));
    const before = await hp.snapshot();
    expectRefused(await browser.get('/api/home'), 401, 'not_signed_in');
    expectRefused(await browser.send('/api/messages', { subject: 'Idle', body: 'Sent after the idle timeout' }), 401, 'not_signed_in');
    expect(await hp.snapshot()).toEqual(before);
  });

  it('a password change needs the current password: a wrong one changes nothing and signs no one out', async () => {
    const here = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
    const elsewhere = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
    const before = await hp.snapshot([...DOMAIN_TABLES, 'patient_session']);
    for (const currentPassword of ['Wrong2Password', "' OR 1=1 --", '']) {
      const res = await here.send('/api/account/password', { currentPassword, password: 'Taken2Over', confirmPassword: 'Taken2Over' });
      expectRefused(res, 400, 'validation_failed');
    }
    expect(await hp.snapshot([...DOMAIN_TABLES, 'patient_session'])).toEqual(before);
    expect((await elsewhere.get('/api/session')).status).toBe(200);
  });
});
