import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalServer } from '../../portal-server/server/index';
import { SYNC_PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../shared/sync/protocol';
import { waitForMail } from '../fixtures/mail';
import { TEST_CLINIC } from '../fixtures/portal';
import type { HostilePortal, PatientBrowser } from './helpers';
import { expectRefused, http, nextIp, registrationBody, signInPatient, signInStaff, startHostilePortal } from './helpers';

/** What every response carries, what is never served, and what the server does with bodies it should not accept. */
let hp: HostilePortal;
let ana: PatientBrowser;
let anaThread: string;

beforeAll(async () => {
  hp = await startHostilePortal();
  ana = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
  anaThread = (await hp.rows<{ id: string }>('SELECT id FROM message_thread WHERE patientId = ?', [hp.ana.patientId]))[0]?.id ?? '';
});
afterAll(async () => {
  await hp.stop();
});

describe('response headers', () => {
  it('every page and API answer carries a strict CSP, no-referrer, nosniff and no X-Powered-By', async () => {
    for (const path of ['/', '/sign-in', '/register', '/api/clinic', '/api/record', '/api/nope', '/healthz']) {
      const res = await http(hp.url, path);
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));
      expect({ path, defaultSrc: directives.get('default-src'), frameAncestors: directives.get('frame-ancestors'), objectSrc: directives.get('object-src') }).toEqual({
        path,
        defaultSrc: "'self'",
        frameAncestors: "'none'",
        objectSrc: "'none'",
      });
      expect(directives.get('script-src')).toBe("'self'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('every answer that can carry health data says Cache-Control: no-store — successes and refusals alike', async () => {
    const phi = ['/api/home', '/api/appointments', '/api/renewals', '/api/messages', '/api/session', '/api/physicians'];
    for (const path of phi) {
      const res = await ana.get(path);
      expect({ path, status: res.status, cacheControl: res.headers.get('cache-control') }).toEqual({ path, status: 200, cacheControl: 'no-store' });
    }
    // Opening the record and a thread are POSTs (they write an audit event and read marks).
    for (const path of ['/api/record/view', `/api/messages/${anaThread}/read`]) {
      const res = await ana.send(path);
      expect({ path, status: res.status, cacheControl: res.headers.get('cache-control') }).toEqual({ path, status: 200, cacheControl: 'no-store' });
    }
    const pull = await hp.physician.call('/api/sync/pull?epoch=&seq=0');
    expect([pull.status, pull.headers.get('cache-control')]).toEqual([200, 'no-store']);
    const refused = await http(hp.url, '/api/home');
    expect([refused.status, refused.headers.get('cache-control')]).toEqual([401, 'no-store']);
  });
});

describe('paths that are not there', () => {
  it('an unknown /api path answers a JSON 404 for any method, never the web app', async () => {
    const before = await hp.snapshot();
    for (const [method, path] of [['GET', '/api/nope'], ['GET', '/api/record/extra'], ['POST', '/api/admin'], ['DELETE', '/api/patients'], ['PUT', '/api/session/..'], ['GET', '/api/']] as const) {
      const res = await http(hp.url, path, { method, headers: { origin: hp.url }, ...(method === 'GET' ? {} : { body: {} }) });
      expectRefused(res, 404, 'not_found');
      expect(res.text).not.toContain('<html');
    }
    expect(await hp.snapshot()).toEqual(before);
  });

  it('path traversal and dotfiles on the static web app never serve a file outside it', async () => {
    const secret = hp.portal.handle.context.secret;
    const paths = [
      '/..%2f..%2fetc/passwd',
      '/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/assets/%2e%2e%5c%2e%2e%5c%2e%2e%5cpackage.json',
      '/..%252f..%252fpackage.json',
      '/....//....//package.json',
      `/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..${encodeURIComponent(resolve(hp.portal.dataDir, 'secret'))}`,
      `/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..${encodeURIComponent(resolve(hp.portal.dataDir, 'portal.sqlite'))}`,
      '/.env',
      '/.git/config',
    ];
    for (const path of paths) {
      const res = await http(hp.url, path);
      expect(res.text, path).not.toMatch(/root:.*:0:0:/);
      expect(res.text, path).not.toContain('"name": "clinic-portal"');
      expect(res.text, path).not.toContain(secret);
      expect(res.text, path).not.toContain('SQLite format 3');
      expect(res.text, path).not.toContain('[core]');
    }
  });
});

describe('bodies the server must not accept', () => {
  const big = 'x'.repeat(300 * 1024);

  it('refuses bodies over 256 kB with 413 on sign-in, registration, messages and sync — writing nothing', async () => {
    const inv = await hp.invite();
    const before = await hp.snapshot();
    const sessions = await hp.count('patient_session');
    const devices = await hp.count('device');
    const results = [
      await http(hp.url, '/api/session', { body: { username: hp.ana.username, password: hp.ana.password, padding: big }, headers: { origin: hp.url, 'x-forwarded-for': nextIp() } }),
      await http(hp.url, '/api/staff/sign-in', { body: { username: 'frontdesk1', password: 'Desk2Work', deviceName: big }, headers: { 'x-forwarded-for': nextIp() } }),
      await http(hp.url, '/api/registration', { body: registrationBody(inv, { padding: big }), headers: { origin: hp.url, 'x-forwarded-for': nextIp() } }),
      await ana.send('/api/messages', { subject: 'Big', body: big }),
      await ana.send(`/api/messages/${anaThread}/replies`, { body: big }),
      await hp.receptionist.push([hp.receptionist.mutation('recordViewed', { patientId: hp.ana.patientId, viewedAt: big })]),
    ];
    for (const res of results) {
      expectRefused(res, 413, 'payload_too_large');
    }
    expect(await hp.snapshot()).toEqual(before);
    expect([await hp.count('patient_session'), await hp.count('device')]).toEqual([sessions, devices]);
  });

  it('refuses deeply nested JSON with a 400 before any handler runs, on every kind of caller', async () => {
    const deep = (n: number, inner: string) => `${'{"a":'.repeat(n)}${inner}${'}'.repeat(n)}`;
    const before = await hp.snapshot();
    const sessions = await hp.count('patient_session');
    const results = [
      await http(hp.url, '/api/session', { rawBody: `{"username": "${hp.ana.username}", "password": "${hp.ana.password}", "x": ${deep(5000, '1')}}`, headers: { origin: hp.url, 'x-forwarded-for': nextIp() } }),
      await http(hp.url, '/api/messages', { rawBody: `{"subject": "Deep", "body": "Deep", "x": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`, headers: { cookie: ana.cookieHeader, 'x-csrf-token': ana.csrfToken, origin: hp.url } }),
      await http(hp.url, '/api/sync/push', {
        rawBody: `{"clientId": "${randomUUID()}", "mutations": [{"seq": 1, "name": "recordViewed", "argsVersion": 1, "args": ${deep(100, `{"patientId": "${hp.ana.patientId}"}`)}}]}`,
        headers: { authorization: `Bearer ${hp.receptionist.token}`, [SYNC_PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION) },
      }),
    ];
    for (const res of results) {
      expectRefused(res, 400, 'validation_failed');
    }
    expect(await hp.snapshot()).toEqual(before);
    expect(await hp.count('patient_session')).toBe(sessions);
  });

  it('refuses malformed JSON with a plain 400 (no stack trace, no parser detail) and writes nothing', async () => {
    const before = await hp.snapshot();
    for (const rawBody of ['{"subject": "a", "body": ', "{'subject': 'single quotes'}", '{"subject": "a"} trailing', 'null', '"just a string"']) {
      const res = await http(hp.url, '/api/messages', { rawBody, headers: { cookie: ana.cookieHeader, 'x-csrf-token': ana.csrfToken, origin: hp.url } });
      expect(res.status, rawBody).toBe(400);
      expect(res.text).not.toMatch(/at .*\.(js|ts):\d+|SyntaxError|node_modules/);
    }
    expect(await hp.snapshot()).toEqual(before);
  });

  it('keys like "__proto__", "constructor" and "toString" pollute no prototype, crash nothing (no 500) and grant nothing', async () => {
    const before = await hp.snapshot();
    const hostileKeys = '"__proto__": {"role": "admin", "isAdmin": true}, "constructor": {"prototype": {"polluted": "yes"}}, "toString": 1, "hasOwnProperty": 1';
    const message = await http(hp.url, '/api/messages', {
      rawBody: `{${hostileKeys}, "subject": "Proto", "body": "Pollution attempt"}`,
      headers: { cookie: ana.cookieHeader, 'x-csrf-token': ana.csrfToken, origin: hp.url },
    });
    expect(message.status).toBe(201);
    const signIn = await http(hp.url, '/api/session', { rawBody: `{${hostileKeys}, "username": "NoSuchUser1", "password": "Wrong2Password"}`, headers: { origin: hp.url, 'x-forwarded-for': nextIp() } });
    expectRefused(signIn, 401, 'invalid_credentials');
    const staff = await http(hp.url, '/api/staff/users', {
      rawBody: `{${hostileKeys}, "username": "protouser", "displayName": "Proto", "role": "receptionist", "password": "Proto2Pass"}`,
      headers: { authorization: `Bearer ${hp.receptionist.token}`, [SYNC_PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION) },
    });
    expectRefused(staff, 403, 'forbidden');
    // A fresh console id, claimed for the token first (a token pushes only under ids bound to it).
    const clientId = randomUUID();
    expect((await hp.receptionist.call('/api/sync/client', { body: { clientId } })).status).toBe(204);
    const push = await http<{ outcomes: { status: string }[] }>(hp.url, '/api/sync/push', {
      rawBody: `{"clientId": "${clientId}", "mutations": [{"seq": 1, "name": "recordViewed", "argsVersion": 1, "createdAt": "", "staffUserId": "", "args": {${hostileKeys}, "patientId": "${hp.ana.patientId}", "viewedAt": ""}}]}`,
      headers: { authorization: `Bearer ${hp.receptionist.token}`, [SYNC_PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION), 'content-type': 'application/json' },
    });
    expect([push.status, push.body.outcomes?.[0]?.status]).toEqual([200, 'applied']);
    const probe = {} as Record<string, unknown>;
    expect([probe.role, probe.isAdmin, probe.polluted]).toEqual([undefined, undefined, undefined]);
    const after = await hp.snapshot();
    expect(after.staff_user).toEqual(before.staff_user);
    expect(after.message_thread?.length).toBe((before.message_thread?.length ?? 0) + 1);
  });
});

describe('links in mail', () => {
  it('always point at PUBLIC_URL, whatever Host or X-Forwarded-Host the request that caused them claimed', async () => {
    const email = `host.${randomUUID().slice(0, 8)}@example.com`;
    const target = new URL(hp.url);
    const clientId = randomUUID();
    expect((await hp.receptionist.call('/api/sync/client', { body: { clientId } })).status).toBe(204);
    const status = await new Promise<number>((resolvePromise, reject) => {
      const body = JSON.stringify({
        clientId,
        mutations: [
          {
            seq: 1,
            name: 'preRegisterPatient',
            argsVersion: 1,
            createdAt: new Date().toISOString(),
            staffUserId: hp.receptionist.staffId,
            args: { patientId: randomUUID(), givenName: 'Hana', familyName: 'Host', dateOfBirth: '1986-04-12', email, phone: '', invitationId: randomUUID() },
          },
        ],
      });
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: '/api/sync/push',
          method: 'POST',
          headers: {
            host: 'evil.example',
            'x-forwarded-host': 'evil.example',
            'x-forwarded-proto': 'https',
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${hp.receptionist.token}`,
            [SYNC_PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolvePromise(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(200);
    await hp.portal.handle.flushMail();
    const mail = await waitForMail(hp.portal.mailDir, email);
    expect(mail.link?.startsWith(`${hp.url}/register#token=`)).toBe(true);
    expect(mail.html + mail.text).not.toContain('evil.example');
  });
});

describe('the request log', () => {
  it('never holds a query string, a token, a cookie or a password', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portal-log-'));
    const lines: string[] = [];
    const handle = await startPortalServer({ dataDir, port: 0, host: '127.0.0.1', logRequests: true, webDir: resolve('out/portal-web') }, (line) => lines.push(line));
    try {
      await handle.setupClinic(TEST_CLINIC);
      const staff = await signInStaff(handle.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
      await http(handle.url, `/api/sync/pull?epoch=&seq=0&token=${staff.token}`, { headers: { authorization: `Bearer ${staff.token}`, [SYNC_PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION) } });
      await http(handle.url, '/register?token=link-token-in-query', { headers: { cookie: '__Host-portal_session=cookie-value-123' } });
      await http(handle.url, '/api/session', { body: { username: 'someone', password: 'Secret2Password' } });
    } finally {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(lines.length).toBeGreaterThan(3);
    const log = lines.join('\n');
    for (const secret of ['?', 'link-token-in-query', 'cookie-value-123', 'Secret2Password', TEST_CLINIC.adminPassword]) {
      expect(log).not.toContain(secret);
    }
  });
});
