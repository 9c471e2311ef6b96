import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentsView, HomeSummary } from '../../shared/api/patient';
import { SESSION_COOKIE } from '../../shared/api/types';
import { DEMO, loadPatientUsername, seedDemo, seedLoadPatients } from '../../portal-server/server/demo';
import type { TestPortal } from '../fixtures/portal';
import { startTestPortal } from '../fixtures/portal';

/** The load bench's patients (bench/load.ts): each a patient of its own, with a history like the demo's. */
let portal: TestPortal;
const COUNT = 20;

beforeAll(async () => {
  portal = await startTestPortal({ setUp: false });
  expect(await seedDemo(portal.handle.context)).toBe(true);
  await seedLoadPatients(portal.handle.context, COUNT);
});
afterAll(async () => {
  await portal.stop();
});

async function signIn(username: string): Promise<string> {
  const res = await fetch(`${portal.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: portal.url },
    body: JSON.stringify({ username, password: DEMO.registered[0]?.password }),
  });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

describe('seedLoadPatients', () => {
  it('gives every load patient a sign-in and an appointment of their own, none at the same time with the physician', async () => {
    const starts = new Set<string>();
    for (const i of [0, 7, 8, COUNT - 1]) {
      const cookie = await signIn(loadPatientUsername(i));
      expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
      const home = (await (await fetch(`${portal.url}/api/home`, { headers: { cookie } })).json()) as HomeSummary;
      expect(home.upcoming).toHaveLength(1);
      const list = (await (await fetch(`${portal.url}/api/appointments`, { headers: { cookie } })).json()) as AppointmentsView;
      expect(list.past.length).toBeGreaterThan(0);
      starts.add(home.upcoming[0]?.start ?? '');
    }
    expect(starts.size).toBe(4);
    // The demo's own patients keep theirs.
    const james = await signIn(DEMO.registered[0]?.username ?? '');
    const home = (await (await fetch(`${portal.url}/api/home`, { headers: { cookie: james } })).json()) as HomeSummary;
    expect(home.upcoming.length).toBeGreaterThan(0);
  });
});
