import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ApiErrorResponse } from '../../../shared/api/errors';
import { AuditEventEntity } from '../../../shared/node/entities/server';
import type { PortalHandle } from '../index';
import { startPortalServer } from '../index';
import { TEST_CLINIC, api } from '../../../test/fixtures/portal';
import { MAX_JSON_DEPTH, jsonDepth } from './jsonDepth';

let handle: PortalHandle;
let dataDir: string;
const lines: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'portal-requests-'));
  handle = await startPortalServer({ dataDir, port: 0, host: '127.0.0.1', logRequests: true, webDir: resolve('out/portal-web') }, (line) => lines.push(line));
  await handle.setupClinic(TEST_CLINIC);
});
afterAll(async () => {
  await handle.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const events = () => handle.context.db.read((m) => m.count(AuditEventEntity));
const nested = (depth: number, leaf = '"x"') => `{"username":${'['.repeat(depth - 1)}${leaf}${']'.repeat(depth - 1)},"password":"p"}`;
const postRaw = (path: string, body: string, headers: Record<string, string> = {}) => fetch(`${handle.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('the request log', () => {
  it('logs the path without its query string, whatever the answer', async () => {
    lines.length = 0;
    await api(handle.url, '/api/sync/pull?token=secret-in-query&seq=0');
    await fetch(`${handle.url}/reset-password?token=secret-in-page-query`);
    await api(handle.url, '/api/password-reset?token=secret-in-post-query', { body: { token: 'secret-in-body', password: 'x', confirmPassword: 'x' } });
    await postRaw('/api/session?token=secret-deep', nested(MAX_JSON_DEPTH + 5));
    await api(handle.url, '/api/nowhere?token=secret-404');
    type Entry = { msg: string; req: { method: string; path: string }; res: { status: number }; responseTime: number };
    // 'request failed' for a 5xx: /reset-password answers 503 where the web app is not built (CI's unit stage).
    const logged = () => lines.map((l) => JSON.parse(l) as Entry).filter((e) => e.msg === 'request' || e.msg === 'request failed');
    // A request's line is written when its response finishes, which may be just after the client has it.
    await expect.poll(() => logged().length, { timeout: 10_000 }).toBe(5);
    const requests = logged();
    expect(requests.map((e) => `${e.req.method} ${e.req.path}`)).toEqual(['GET /api/sync/pull', 'GET /reset-password', 'POST /api/password-reset', 'POST /api/session', 'GET /api/nowhere']);
    expect(requests[0]?.res.status).toBeGreaterThanOrEqual(400);
    expect(requests[2]?.res.status).toBe(404);
    expect(requests[3]?.res.status).toBe(400);
    expect(typeof requests[0]?.responseTime).toBe('number');
    const log = lines.join('\n');
    expect(log).not.toContain('?');
    expect(log).not.toContain('secret');
  });
});

describe('deeply nested JSON', () => {
  it(`is refused with 400 before any handler runs (more than ${MAX_JSON_DEPTH} levels)`, async () => {
    const before = await events();
    const res = await postRaw('/api/session', nested(MAX_JSON_DEPTH + 1));
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as ApiErrorResponse).error).toEqual({ code: 'validation_failed', message: 'The request is nested too deeply.' });
    // The sign-in handler audits every attempt, even a malformed one: nothing was audited, so it never ran.
    expect(await events()).toBe(before);

    // A body as deep as 256 kB allows (for a caller naming a token) is refused the same way, cheaply, and the server keeps answering.
    const deep = await postRaw('/api/sync/push', `${'['.repeat(120_000)}${']'.repeat(120_000)}`, { authorization: 'Bearer not-checked-before-the-body' });
    expect(deep.status).toBe(400);
    expect((await api(handle.url, '/api/clinic')).status).toBeLessThan(500);
  });

  it(`lets ${MAX_JSON_DEPTH} levels through to the handler, and ignores brackets inside strings`, async () => {
    const before = await events();
    const res = await postRaw('/api/session', nested(MAX_JSON_DEPTH));
    expect(res.status).toBe(400);
    expect(((await res.json()) as ApiErrorResponse).error).toEqual({ code: 'validation_failed', message: 'Some fields are not in the expected form.' });
    expect(await events()).toBe(before + 1);
    const brackets = await postRaw('/api/session', JSON.stringify({ username: `${'['.repeat(50)}"\\]`, password: '{'.repeat(50) }));
    expect(brackets.status).toBe(401);
  });

  it('measures depth over objects and arrays, skipping strings and escapes', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('{"a":"[[[[\\"[[[["}')).toBe(1);
    expect(jsonDepth(Buffer.from('[[["\\\\"],[]]]'))).toBe(3);
    expect(jsonDepth('['.repeat(1000), 20)).toBe(21);
  });
});

describe('API answers', () => {
  it('are never cached and carry a strict Content-Security-Policy', async () => {
    const res = await api(handle.url, '/api/clinic');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
  });
});
