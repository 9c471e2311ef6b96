import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PatientSessionView } from '../../../../shared/api/types';
import { SESSION_IDLE_HEADER } from '../../../../shared/api/types';
import type { PatientClient } from '../../../../test/fixtures/patients';
import { clinicTeam, registerPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { startTestPortal } from '../../../../test/fixtures/portal';

/** The idle timeout, configured short and driven by moving the server's clock. */
let portal: TestPortal;
let pat: PatientClient;
const IDLE_MS = 60_000;

beforeAll(async () => {
  portal = await startTestPortal({ config: { patientIdleTimeoutMs: IDLE_MS } });
  const team = await clinicTeam(portal);
  pat = await registerPatient(portal, team.desk.console, { givenName: 'Ida', familyName: 'Idle' });
});
afterAll(async () => {
  await portal.stop();
});
afterEach(() => {
  portal.handle.context.now = () => new Date();
});

/** Freezes the server's clock `ms` after `base`. */
function clockAt(base: number, ms: number): void {
  portal.handle.context.now = () => new Date(base + ms);
}
const remaining = (res: { headers: Headers }) => Number(res.headers.get(SESSION_IDLE_HEADER));

describe('the idle timeout', () => {
  it('is told to the portal, every answer says how long is left, and asking for the session always extends it', async () => {
    const base = Date.now();
    clockAt(base, 0);
    const first = await pat.get<PatientSessionView>('/api/session');
    expect(first.body.idleTimeoutSeconds).toBe(60);
    expect(remaining(first)).toBe(60);

    // A request moments later is not written down as activity (the server touches sparingly)…
    clockAt(base, 2_000);
    expect(remaining(await pat.get('/api/account/record-access'))).toBe(58);
    // …but "Stay signed in" (GET /api/session) always is.
    const stay = await pat.get('/api/session');
    expect(remaining(stay)).toBe(60);

    // 59 seconds after "Stay signed in" the session lives; 61 seconds after, it is gone for good.
    clockAt(base, 2_000 + 59_000);
    expect((await pat.get('/api/session')).status).toBe(200);
    clockAt(base, 2_000 + 59_000 + 61_000);
    expect((await pat.get('/api/session')).status).toBe(401);
    clockAt(base, 0);
    expect((await pat.get('/api/session')).status).toBe(401);
  });
});
