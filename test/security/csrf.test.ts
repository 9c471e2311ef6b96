import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../shared/api/types';
import type { HostilePortal, HttpResult, PatientBrowser } from './helpers';
import { expectRefused, http, nextIp, registrationBody, signInPatient, startHostilePortal } from './helpers';

/** Cross-site request forgery: a cookie alone never changes anything; another site's page never does. */
let hp: HostilePortal;
let james: PatientBrowser;
let ana: PatientBrowser;
/** Every state-changing patient call, aimed at James's own rows (so only the forgery defence can refuse it). */
let calls: { path: string; body: unknown; method?: string }[];

beforeAll(async () => {
  hp = await startHostilePortal();
  james = await signInPatient(hp.url, hp.james.username, hp.james.password);
  ana = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
  const [appointment] = await hp.rows<{ id: string }>("SELECT id FROM appointment WHERE patientId = ? AND status = 'scheduled'", [hp.james.patientId]);
  const [thread] = await hp.rows<{ id: string }>('SELECT id FROM message_thread WHERE patientId = ?', [hp.james.patientId]);
  const [medication] = await hp.rows<{ id: string }>("SELECT id FROM record_entry WHERE patientId = ? AND kind = 'medication'", [hp.james.patientId]);
  calls = [
    { path: '/api/appointments', body: { reason: 'Forged visit', preferredPhysicianId: null, preferredTimes: 'Any' } },
    { path: `/api/appointments/${appointment?.id}/cancel`, body: {} },
    { path: `/api/appointments/${appointment?.id}/accept`, body: {} },
    { path: `/api/appointments/${appointment?.id}/decline`, body: {} },
    { path: '/api/renewals', body: { medicationId: medication?.id, pharmacy: 'Forged', note: '' } },
    { path: '/api/messages', body: { subject: 'Forged', body: 'Forged message' } },
    { path: `/api/messages/${thread?.id}/replies`, body: { body: 'Forged reply' } },
    { path: '/api/account/password', body: { currentPassword: hp.james.password, password: 'Forged2Password', confirmPassword: 'Forged2Password' } },
    { path: '/api/session/sign-out-everywhere', body: {} },
    { path: '/api/session', body: undefined, method: 'DELETE' },
  ];
});
afterAll(async () => {
  await hp.stop();
});

async function everyCall(send: (call: { path: string; body: unknown; method?: string }) => Promise<HttpResult>): Promise<{ path: string; status: number; code: unknown }[]> {
  const out = [];
  for (const call of calls) {
    const res = await send(call);
    out.push({ path: call.path, status: res.status, code: (res.body as { error?: { code?: string } }).error?.code });
  }
  return out;
}
const allRefused = (status: number, code: string) => calls.map((c) => ({ path: c.path, status, code }));

describe('patient calls that change something', () => {
  it('are refused without the x-csrf-token header (cookie alone), on every route, and change nothing', async () => {
    const before = await hp.snapshot();
    const results = await everyCall((c) => james.send(c.path, c.body, { method: c.method, headers: { [CSRF_HEADER]: '' } }));
    expect(results).toEqual(allRefused(403, 'csrf_failed'));
    expect(await hp.snapshot()).toEqual(before);
    expect((await james.get('/api/session')).status).toBe(200);
  });

  it("are refused with another patient's CSRF token, on every route, and change nothing", async () => {
    const before = await hp.snapshot();
    const results = await everyCall((c) => james.send(c.path, c.body, { method: c.method, headers: { [CSRF_HEADER]: ana.csrfToken } }));
    expect(results).toEqual(allRefused(403, 'csrf_failed'));
    expect(await hp.snapshot()).toEqual(before);
  });

  it('are refused from a foreign Origin even with the right cookie and token, and change nothing', async () => {
    const before = await hp.snapshot();
    for (const origin of ['https://evil.example', 'null', `${hp.url}.evil.example`, hp.url.replace('http://', 'https://')]) {
      const results = await everyCall((c) => james.send(c.path, c.body, { method: c.method, headers: { origin } }));
      expect(results).toEqual(allRefused(403, 'csrf_failed'));
    }
    expect(await hp.snapshot()).toEqual(before);
  });

  it('are refused when sent as a cross-site HTML form would send them (form-encoded, no token), and change nothing', async () => {
    const before = await hp.snapshot();
    for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
      const res = await http(hp.url, '/api/messages', {
        rawBody: 'subject=Forged&body=Forged',
        headers: { 'content-type': contentType, cookie: james.cookieHeader, 'x-forwarded-for': james.ip },
      });
      expectRefused(res, 403, 'csrf_failed');
    }
    expect(await hp.snapshot()).toEqual(before);
  });
});

describe('sign-in and registration from another site (login CSRF)', () => {
  it('refuses a sign-in posted from a foreign Origin and opens no session', async () => {
    const before = await hp.snapshot(['patient_session']);
    const res = await http(hp.url, '/api/session', { body: { username: hp.ana.username, password: hp.ana.password }, headers: { origin: 'https://evil.example', 'x-forwarded-for': nextIp() } });
    expectRefused(res, 403, 'csrf_failed');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await hp.snapshot(['patient_session'])).toEqual(before);
  });

  it('refuses a registration posted from a foreign Origin, creating no account and counting no try', async () => {
    const inv = await hp.invite();
    const before = await hp.snapshot();
    const res = await http(hp.url, '/api/registration', { body: registrationBody(inv), headers: { origin: 'https://evil.example', 'x-forwarded-for': nextIp() } });
    expectRefused(res, 403, 'csrf_failed');
    expect(await hp.snapshot()).toEqual(before);
  });
});
