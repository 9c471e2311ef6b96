import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostilePortal, HttpResult } from './helpers';
import { expectRefused, http, startHostilePortal } from './helpers';

/** Per-address limits: IPv6 clients counted by /64, and the sign-in lock of an address kept for attacks across usernames. */
let hp: HostilePortal;

beforeAll(async () => {
  hp = await startHostilePortal();
});
afterAll(async () => {
  await hp.stop();
});

let prefix = 0x100;
/** A fresh /64 (documentation range 2001:db8::/32); `host` picks an address inside it. */
const newPrefix = () => {
  prefix += 1;
  const p = prefix.toString(16);
  return (host: number) => `2001:db8:${p}:1:${(host >> 16).toString(16)}:${(host & 0xffff).toString(16)}:0:1`;
};
let v4 = 0;
const natAddress = () => {
  v4 += 1;
  return `203.0.113.${v4}`;
};

const signIn = (username: string, password: string, ip: string): Promise<HttpResult> =>
  http(hp.url, '/api/session', { body: { username, password }, headers: { origin: hp.url, 'x-forwarded-for': ip } });

describe('IPv6 addresses are counted by their /64', () => {
  it('guesses across usernames from many addresses in one /64 lock that /64 (the right password too) and write no session', async () => {
    const in64 = newPrefix();
    for (let i = 1; i < 20; i += 1) {
      expect((await signIn(`guess-${prefix}-${i}`, 'Wrong1234', in64(i))).status).toBe(401);
    }
    expectRefused(await signIn(`guess-${prefix}-20`, 'Wrong1234', in64(20)), 429, 'rate_limited');
    const sessions = await hp.count('patient_session');
    expectRefused(await signIn(hp.james.username, hp.james.password, in64(999)), 429, 'rate_limited');
    expect(await hp.count('patient_session')).toBe(sessions);
    // Another /64 is another client.
    expect((await signIn(hp.james.username, hp.james.password, newPrefix()(1))).status).toBe(200);
  });

  it("the route's rate limit counts the /64 too: a 31st registration try from a fresh address in it is refused and writes nothing", async () => {
    const in64 = newPrefix();
    for (let i = 1; i <= 30; i += 1) {
      expect((await http(hp.url, '/api/registration', { body: {}, headers: { origin: hp.url, 'x-forwarded-for': in64(i) } })).status).toBe(400);
    }
    const before = await hp.snapshot();
    expectRefused(await http(hp.url, '/api/registration', { body: {}, headers: { origin: hp.url, 'x-forwarded-for': in64(31) } }), 429, 'rate_limited');
    expect(await hp.snapshot()).toEqual(before);
  });
});

describe('a clinic behind one NAT address', () => {
  it("is not locked out together by one patient's many mistakes over the day (20 failures, one username)", async () => {
    const nat = natAddress();
    // James mistypes four times, then gets it right, five times over: 20 failures from the address.
    for (let round = 0; round < 5; round += 1) {
      for (let i = 0; i < 4; i += 1) {
        expect((await signIn(hp.james.username, 'Wrong1234', nat)).status).toBe(401);
      }
      expect((await signIn(hp.james.username, hp.james.password, nat)).status).toBe(200);
    }
    // (26 requests: the route's own limit of 30 per 10 minutes is not what this case is about.)
    expect((await signIn(hp.ana.username, hp.ana.password, nat)).status).toBe(200);
    expect(await hp.rows("SELECT key FROM sign_in_throttle WHERE scope = 'patient-address' AND key = ? AND lockedUntil IS NOT NULL", [nat])).toEqual([]);
  });

  it('is locked when the failures span many usernames (an attack); the lock lets no one in and writes no session', async () => {
    const nat = natAddress();
    for (let i = 1; i < 20; i += 1) {
      expect((await signIn(`nat-guess-${v4}-${i}`, 'Wrong1234', nat)).status).toBe(401);
    }
    expectRefused(await signIn(`nat-guess-${v4}-20`, 'Wrong1234', nat), 429, 'rate_limited');
    const sessions = await hp.count('patient_session');
    expectRefused(await signIn(hp.ana.username, hp.ana.password, nat), 429, 'rate_limited');
    expect(await hp.count('patient_session')).toBe(sessions);
  });
});
