import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../shared/node/db';
import { SERVER_ENTITIES } from '../../shared/node/entities/server';
import { SERVER_MIGRATIONS } from '../../shared/node/migrations/server';
import { createLogger, requestLogger, safeError } from './logger';
import { errorHandler } from './middleware/errors';

/**
 * Issue 18 item 2: the structured log never holds health information, query strings, tokens,
 * cookies, passwords or SQL parameters — fed all of them here through the real middleware on real
 * HTTP, with a real database error (SQLite's, carrying its SQL and parameters) thrown by a route.
 */
const MEDICATION = 'Metformin 500 mg twice daily';
const SECRETS = ['query-secret-123', 'auth-secret-456', 'cookie-secret-789', 'Body-Secret-Password-1', MEDICATION, 'INSERT INTO', 'james.walker@example.com'];

let server: Server;
let url = '';
let db: Database;
let dir = '';
const lines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portal-log-'));
  db = await Database.open({ sqlitePath: join(dir, 'log.sqlite'), entities: SERVER_ENTITIES, migrations: SERVER_MIGRATIONS });
  const logger = createLogger({ level: 'info', lines: (line) => lines.push(line) });
  const app = express();
  app.use(requestLogger(logger, { trustProxyRequestId: false, autoLogging: true }));
  app.use(express.json());
  app.post('/api/record/notes', async (req) => {
    const { medication } = req.body as { medication: string };
    // A real driver error: a NOT NULL violation whose SQL and parameters hold the health data.
    await db.write((m) => m.query("INSERT INTO patient (id, givenName, email) VALUES (?, ?, 'james.walker@example.com')", ['p-1', medication]));
  });
  app.use(errorHandler());
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the structured log', () => {
  it('keeps the request id, path, status and error type, and none of the secrets or health data it was fed', async () => {
    lines.length = 0;
    const res = await fetch(`${url}/api/record/notes?token=query-secret-123`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer auth-secret-456', cookie: '__Host-portal_session=cookie-secret-789' },
      body: JSON.stringify({ password: 'Body-Secret-Password-1', medication: MEDICATION }),
    });
    expect(res.status).toBe(500);
    const body = await res.text();
    for (const secret of SECRETS) {
      expect(body).not.toContain(secret);
    }
    const requestId = res.headers.get('x-request-id') ?? '';
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    // The request's own line is written when the response finishes, which may be just after the client has it.
    await expect.poll(() => lines.some((l) => l.includes('"msg":"request')), { timeout: 10_000 }).toBe(true);
    const log = lines.join('\n');
    for (const secret of SECRETS) {
      expect(log, `the log holds "${secret}"`).not.toContain(secret);
    }
    expect(log).not.toContain('?');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const entry of entries) {
      expect(typeof entry.time).toBe('string');
      expect(typeof entry.level).toBe('number');
    }
    const failure = entries.find((e) => e.msg === 'unexpected error') as { err: { type: string; stack?: string }; req?: { id: string } } | undefined;
    expect(failure?.err.type).toBe('QueryFailedError');
    expect(failure?.err.stack).toMatch(/\bat /);
    const request = entries.find((e) => e.msg === 'request failed' || e.msg === 'request') as { req: { id: string; method: string; path: string }; res: { status: number }; responseTime: number } | undefined;
    expect(request?.req).toEqual({ id: requestId, method: 'POST', path: '/api/record/notes' });
    expect(request?.res).toEqual({ status: 500 });
    expect(typeof request?.responseTime).toBe('number');
  });
});

describe('safeError', () => {
  it('keeps a driver error’s type, code and stack but not the values in its message, detail, SQL or parameters', () => {
    const err = Object.assign(new Error('duplicate key value violates unique constraint "patient_email_key" for value \'ana.silva@example.com\'\nDETAIL: Key (email)=(ana.silva@example.com) already exists.'), {
      name: 'QueryFailedError',
      code: '23505',
      detail: 'Key (email)=(ana.silva@example.com) already exists.',
      query: 'INSERT INTO patient (email) VALUES ($1)',
      parameters: ['ana.silva@example.com'],
    });
    const safe = safeError(err);
    expect(JSON.stringify(safe)).not.toContain('ana.silva');
    expect(JSON.stringify(safe)).not.toContain('INSERT');
    expect(safe).toMatchObject({ type: 'QueryFailedError', code: '23505' });
    expect(safe.message).toMatch(/^duplicate key value violates unique constraint/);
    expect(safe.stack).toMatch(/\bat /);
  });
});
