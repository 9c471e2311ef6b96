import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../shared/api/errors';
import { readMails } from '../fixtures/mail';
import type { HostilePortal, HttpResult } from './helpers';
import { expectRefused, http, registrationBody, startHostilePortal } from './helpers';

/**
 * Rate limits and lockouts on everything that guesses: sign-in, staff sign-in, registration and
 * recovery. Each case has its own server, so one case's counting never spills into another.
 */
let hp: HostilePortal | undefined;
afterEach(async () => {
  await hp?.stop();
  hp = undefined;
});

/** A random X-Forwarded-For: without a trusted proxy it must change nothing. */
const spoofed = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}`;

/** Sends `attempt(i)` until the server answers 429 (at most 100 tries); returns the 429 and how many went before it. */
async function untilLimited(attempt: (i: number) => Promise<HttpResult>): Promise<{ limited: HttpResult; tries: number }> {
  for (let i = 0; i < 100; i += 1) {
    const res = await attempt(i);
    if (res.status === 429) {
      return { limited: res, tries: i };
    }
    expect(res.status, JSON.stringify(res.body)).not.toBe(500);
  }
  throw new Error('no rate limit after 100 tries');
}

function expectRetryAfter(res: HttpResult): void {
  expectRefused(res, 429, 'rate_limited');
  const seconds = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(seconds) && seconds > 0).toBe(true);
  expect((res.body as ApiErrorResponse).error.message).toMatch(/wait \d+ minute/);
}

describe('per-address limits (no trusted proxy: X-Forwarded-For is ignored)', () => {
  it('patient sign-in: guessing from one address ends in 429 with Retry-After; then even the right password opens no session', async () => {
    hp = await startHostilePortal({ trustProxy: false });
    const url = hp.url;
    const signIn = (username: string, password: string) => http(url, '/api/session', { body: { username, password }, headers: { origin: url, 'x-forwarded-for': spoofed() } });
    const { limited, tries } = await untilLimited((i) => signIn(`Guess${i}${randomUUID().slice(0, 4)}`, 'Wrong2Password'));
    expect(tries).toBeGreaterThan(0);
    expectRetryAfter(limited);
    const before = await hp.snapshot(['patient_session']);
    const right = await signIn(hp.ana.username, hp.ana.password);
    expectRefused(right, 429, 'rate_limited');
    expect(right.headers.get('set-cookie')).toBeNull();
    expect(await hp.snapshot(['patient_session'])).toEqual(before);
  });

  it('registration: guessing from one address ends in 429 with Retry-After; then even a correct registration creates no account', async () => {
    hp = await startHostilePortal({ trustProxy: false });
    const inv = await hp.invite();
    const url = hp.url;
    const register = (body: unknown) => http(url, '/api/registration', { body, headers: { origin: url, 'x-forwarded-for': spoofed() } });
    const { limited } = await untilLimited(() => register(registrationBody({ ...inv, token: randomUUID() })));
    expectRetryAfter(limited);
    const before = await hp.snapshot();
    expectRefused(await register(registrationBody(inv)), 429, 'rate_limited');
    expect(await hp.snapshot()).toEqual(before);
  });

  it('registration by a typed Registration ID: guessing IDs from one address ends in 429 within a few tries; then even the right ID creates no account', async () => {
    hp = await startHostilePortal({ trustProxy: false });
    const inv = await hp.invite();
    const url = hp.url;
    const byId = (registrationId: string) => {
      const body = registrationBody({ ...inv, registrationId });
      delete body.token;
      return http(url, '/api/registration/by-registration-id', { body, headers: { origin: url, 'x-forwarded-for': spoofed() } });
    };
    const guess = (i: number) => `GUES${'ABCDEFGHJK'[i % 10] ?? 'A'}${'2345678923'[Math.floor(i / 10) % 10] ?? '2'}Z2`;
    const { limited, tries } = await untilLimited((i) => byId(guess(i)));
    expect(tries).toBeGreaterThan(0);
    expect(tries).toBeLessThanOrEqual(10);
    expectRetryAfter(limited);
    const before = await hp.snapshot();
    expectRefused(await byId(inv.registrationId), 429, 'rate_limited');
    expect(await hp.snapshot()).toEqual(before);
  });

  it('registration link check: probing tokens from one address ends in 429, and then even a live link is not answered', async () => {
    hp = await startHostilePortal({ trustProxy: false });
    const inv = await hp.invite();
    const url = hp.url;
    const check = (token: string) => http(url, '/api/registration/link-status', { body: { token }, headers: { origin: url, 'x-forwarded-for': spoofed() } });
    expect((await check(inv.token)).status).toBe(200);
    const { limited, tries } = await untilLimited(() => check(randomUUID()));
    expect(tries).toBeGreaterThan(0);
    expectRetryAfter(limited);
    expectRefused(await check(inv.token), 429, 'rate_limited');
  });

  it('staff sign-in: guessing from one address ends in 429 with Retry-After; then the right password gets no device', async () => {
    hp = await startHostilePortal({ trustProxy: false });
    const url = hp.url;
    const signIn = (username: string, password: string) => http(url, '/api/staff/sign-in', { body: { username, password, deviceName: 'guess' }, headers: { 'x-forwarded-for': spoofed() } });
    const { limited } = await untilLimited((i) => signIn(`guess${i}user`, 'Wrong2Password'));
    expectRetryAfter(limited);
    const before = await hp.snapshot(['device', 'staff_user']);
    expectRefused(await signIn('frontdesk1', 'Desk2Work'), 429, 'rate_limited');
    expect(await hp.snapshot(['device', 'staff_user'])).toEqual(before);
  });

  it('recovery: starting over and over from one address ends in 429 with Retry-After, and mails stop', async () => {
    hp = await startHostilePortal({ trustProxy: false });
    const url = hp.url;
    const start = () => http(url, '/api/recovery/start', { body: { kind: 'password', username: 'AnaSilva22' }, headers: { origin: url, 'x-forwarded-for': spoofed() } });
    const { limited } = await untilLimited(start);
    expectRetryAfter(limited);
    await hp.portal.handle.flushMail();
    const mails = (await readMails(hp.portal.mailDir)).length;
    const before = await hp.snapshot();
    expectRefused(await start(), 429, 'rate_limited');
    await hp.portal.handle.flushMail();
    expect((await readMails(hp.portal.mailDir)).length).toBe(mails);
    expect(await hp.snapshot()).toEqual(before);
  });
});

describe('behind a trusted proxy', () => {
  it('counts the address the proxy appended, not the addresses a client wrote in front of it', async () => {
    hp = await startHostilePortal();
    const url = hp.url;
    // What the proxy forwards: whatever the client claimed, then the client's real address.
    const signIn = (i: number) =>
      http(url, '/api/session', { body: { username: `Guess${i}${randomUUID().slice(0, 4)}`, password: 'Wrong2Password' }, headers: { origin: url, 'x-forwarded-for': `${spoofed()}, 192.0.2.77` } });
    const { limited } = await untilLimited(signIn);
    expectRetryAfter(limited);
    // Another real client behind the same proxy is not affected.
    const other = await http(url, '/api/session', { body: { username: hp.ana.username, password: hp.ana.password }, headers: { origin: url, 'x-forwarded-for': '192.0.2.78' } });
    expect(other.status).toBe(200);
  });
});

describe('per-account lockout', () => {
  it('after 5 wrong passwords from different addresses the right one is refused with how long to wait, and opens no session', async () => {
    hp = await startHostilePortal();
    const url = hp.url;
    const signIn = (password: string) => http(url, '/api/session', { body: { username: hp?.james.username, password }, headers: { origin: url, 'x-forwarded-for': spoofed() } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await signIn(`Wrong${i}Password`)).status);
    }
    // The fifth wrong try may already answer with the wait it earned.
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect([401, 429]).toContain(statuses[4]);
    const before = await hp.snapshot(['patient_session']);
    const right = await signIn(hp.james.password);
    expectRetryAfter(right);
    expect(right.headers.get('set-cookie')).toBeNull();
    expect(await hp.snapshot(['patient_session'])).toEqual(before);
  });
});
