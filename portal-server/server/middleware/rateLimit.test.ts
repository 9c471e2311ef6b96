import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../../shared/api/errors';
import { RateLimitEntity } from '../../../shared/node/entities/security';
import type { TestPortal } from '../../../test/fixtures/portal';
import { api, startTestPortal } from '../../../test/fixtures/portal';

/** Two portal-server instances on one database, as behind a load balancer. */
let a: TestPortal;
let b: TestPortal;
let offset = 0;

beforeAll(async () => {
  a = await startTestPortal();
  b = await startTestPortal({ dataDir: a.dataDir });
  for (const portal of [a, b]) {
    portal.handle.context.now = () => new Date(Date.now() + offset);
  }
});
afterAll(async () => {
  await b.stop();
  await a.stop();
});

// Registration allows 30 tries per address in 10 minutes; an empty form is a cheap try.
const tryRegistration = (portal: TestPortal, headers: Record<string, string> = {}) => api<ApiErrorResponse>(portal.url, '/api/registration', { body: {}, headers });

describe('rate limits in the database', () => {
  it('are shared by every instance, ignore a client-written X-Forwarded-For without TRUST_PROXY, and reopen after the window', async () => {
    for (let i = 0; i < 30; i += 1) {
      const res = await tryRegistration(i % 2 === 0 ? a : b);
      expect(res.status, `try ${i + 1}`).not.toBe(429);
    }
    for (const portal of [a, b]) {
      const refused = await tryRegistration(portal);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      expect(refused.body.error.message).toMatch(/^Too many tries\. Please wait \d+ minutes? and try again\.$/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Not behind a configured proxy: a forged header does not make a new client.
    expect((await tryRegistration(a, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
    // Another route has its own window.
    expect((await api(a.url, '/api/session', { body: { username: 'someone1', password: 'Wrong1234' } })).status).toBe(401);

    const rows = await a.handle.context.db.read((m) => m.find(RateLimitEntity));
    expect(rows.find((r) => r.bucket === 'POST /api/registration')).toMatchObject({ key: '127.0.0.1', count: 33 });

    offset += 10 * 60_000;
    expect((await tryRegistration(b)).status).not.toBe(429);
  });
});
