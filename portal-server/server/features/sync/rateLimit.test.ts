/**
 * Sync requests are limited per console (device token), not per address: a clinic's desks share
 * one address, and one console flooding the server must not stop the others.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PatientEntity } from '../../../../shared/node/entities/server';
import { TEST_CLINIC, TestConsole, api, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';
import type { TestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
beforeAll(async () => {
  portal = await startTestPortal({ config: { syncRequestsPerMinute: 4 } });
});
afterAll(async () => {
  await portal.stop();
});

const patientsNamed = (givenName: string) => portal.handle.context.db.read((m) => m.countBy(PatientEntity, { givenName }));

it('refuses a console past its limit with 429 and Retry-After, applies nothing of it, and lets another console on the same address go on', async () => {
  const a = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  const b = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  const flooding = new TestConsole(portal.url, a.token);
  const other = new TestConsole(portal.url, b.token);
  // 4 a minute here: nine pushes span at most two windows, so one of them is refused.
  const answers: { givenName: string; status: number; retryAfter: string | null }[] = [];
  for (let i = 0; i < 9 && !answers.some((x) => x.status === 429); i += 1) {
    const givenName = `Flood${i}`;
    const mutation = flooding.mutation('preRegisterPatient', { patientId: randomUUID(), givenName, familyName: 'Flood', dateOfBirth: '1986-04-12', email: `flood${i}@example.com`, phone: '', invitationId: null });
    const res = await api(portal.url, '/api/sync/push', { token: a.token, body: { clientId: flooding.clientId, mutations: [mutation] } });
    answers.push({ givenName, status: res.status, retryAfter: res.headers.get('retry-after') });
  }
  const refused = answers.find((x) => x.status === 429);
  expect(refused, JSON.stringify(answers)).toBeDefined();
  expect(Number(refused?.retryAfter)).toBeGreaterThan(0);
  // What was refused was not applied; what was answered 200 was.
  for (const x of answers) {
    expect(await patientsNamed(x.givenName)).toBe(x.status === 200 ? 1 : 0);
  }
  // The other console, same address, is not held back.
  const fine = await other.preRegister({ givenName: 'Unhindered', email: 'unhindered@example.com' });
  expect(fine.response.outcomes).toEqual([{ seq: 1, status: 'applied' }]);
  expect(await patientsNamed('Unhindered')).toBe(1);
});
