import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig, startPortalServer } from '../../portal-server/server/index';
import { SYNC_PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../shared/sync/protocol';
import { waitForMail } from '../fixtures/mail';
import { TEST_CLINIC } from '../fixtures/portal';
import type { ApiErrorResponse } from '../../shared/api/errors';
import type { HostilePortal, HttpResult, PatientBrowser } from './helpers';
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
      await http(hp.url, '/api/session', { rawBody: `{"username": "${hp.ana.username}", "password": "${hp.ana.password}", "x": ${deep(2000, '1')}}`, headers: { origin: hp.url, 'x-forwarded-for': nextIp() } }),
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

describe('malformed requests are the client\'s fault (4xx with a plain message, never 500)', () => {
  const plain = (res: HttpResult, ...echoes: string[]) => {
    const message = (res.body as ApiErrorResponse).error.message;
    for (const echo of echoes) {
      expect(message).not.toContain(echo);
    }
    expect(res.text).not.toMatch(/at .*\.(js|ts):\d+|Error:|node_modules|zlib|incorrect header/i);
  };
  const raw = async (path: string, body: Buffer | string, headers: Record<string, string>): Promise<HttpResult> => {
    const res = await fetch(`${hp.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await res.text();
    return { status: res.status, text, headers: res.headers, body: res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text };
  };

  it('an unknown or corrupt Content-Encoding or an unknown charset is refused (415/400) on public and signed-in routes, writing nothing', async () => {
    const signIn = JSON.stringify({ username: hp.ana.username, password: hp.ana.password });
    const message = JSON.stringify({ subject: 'Encoded', body: 'Encoded message' });
    const before = await hp.snapshot();
    const sessions = await hp.count('patient_session');
    const publicHeaders = () => ({ origin: hp.url, 'x-forwarded-for': nextIp() });
    const anaHeaders = { cookie: ana.cookieHeader, 'x-csrf-token': ana.csrfToken, origin: hp.url };
    for (const [path, body, headers] of [
      ['/api/session', signIn, publicHeaders()],
      ['/api/messages', message, anaHeaders],
    ] as const) {
      const unknown = await raw(path, body, { ...headers, 'content-encoding': 'x-hostile-zip' });
      expectRefused(unknown, 415, 'unsupported_media_type');
      plain(unknown, 'x-hostile-zip');
      const charset = await raw(path, body, { ...headers, 'content-type': 'application/json; charset=x-klingon' });
      expectRefused(charset, 415, 'unsupported_media_type');
      plain(charset, 'klingon');
      for (const [encoding, corrupt] of [
        ['gzip', Buffer.from('this is not gzip at all')],
        ['gzip', gzipSync(Buffer.from(body)).subarray(0, 12)],
        ['deflate', Buffer.from('not deflate')],
        ['deflate', deflateSync(Buffer.from(body)).subarray(0, 6)],
        ['br', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x11])],
        ['br', brotliCompressSync(Buffer.from(body)).subarray(0, 5)],
      ] as const) {
        const res = await raw(path, corrupt, { ...headers, 'content-encoding': encoding });
        expect({ path, encoding, status: res.status, code: (res.body as ApiErrorResponse).error?.code }).toEqual({ path, encoding, status: 400, code: 'validation_failed' });
        plain(res);
      }
    }
    expect(await hp.snapshot()).toEqual(before);
    expect(await hp.count('patient_session')).toBe(sessions);
    // A body compressed properly is still read.
    const fine = await raw('/api/messages', gzipSync(Buffer.from(message)), { ...anaHeaders, 'content-encoding': 'gzip' });
    expect(fine.status).toBe(201);
  });

  it('a bad %-escape in the path gets 400 on API routes, the web app and static files, writing nothing', async () => {
    const before = await hp.snapshot();
    const results: [string, HttpResult][] = [
      ['patient opening a thread', await ana.send('/api/messages/%E0%A4%A/read', {})],
      ['patient POST', await ana.send('/api/appointments/%zz/cancel', {})],
      ['staff POST', await http(hp.url, '/api/staff/users/%/password', { body: {}, headers: { authorization: `Bearer ${hp.admin.token}` } })],
      ['static file', await http(hp.url, '/assets/%E0%A4%A.js')],
      ['web app page', await http(hp.url, '/%')],
    ];
    for (const [what, res] of results) {
      expect({ what, status: res.status, code: (res.body as ApiErrorResponse).error?.code }).toEqual({ what, status: 400, code: 'validation_failed' });
      plain(res, '%E0', '%zz', 'decode');
    }
    expect(await hp.snapshot()).toEqual(before);
  });

  it('an audit filter date the database cannot hold (or that is not on the calendar) gets 400 naming the field, not a result or a 500', async () => {
    for (const [query, field] of [
      ['from=0000-01-01', 'from'],
      ['from=1899-12-31T23:59:59Z', 'from'],
      ['to=9999-12-31T23:59:59-23:59', 'to'],
      ['from=2025-02-30', 'from'],
      ['to=2025-13-01T00:00:00Z', 'to'],
    ] as const) {
      const res = await hp.admin.call<ApiErrorResponse>(`/api/staff/audit?${query}`);
      expectRefused(res, 400, 'validation_failed');
      expect(Object.keys(res.body.error.fields ?? {})).toEqual([field]);
    }
    expect((await hp.admin.call('/api/staff/audit?from=1900-01-01T00:00:00Z&to=9999-12-31T23:59:59Z')).status).toBe(200);
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

describe('configuration that would put patients in clear text', () => {
  it('a set TRUST_PROXY alone no longer lets the server listen in plain HTTP on a non-loopback address; nothing is created', async () => {
    const root = mkdtempSync(join(tmpdir(), 'portal-config-'));
    const dataDir = join(root, 'data');
    try {
      const refusals: [Record<string, string>, RegExp][] = [
        [{ HOST: '0.0.0.0', TRUST_PROXY: '10.0.0.5' }, /PLAIN_HTTP_BEHIND_PROXY=1/],
        [{ HOST: '0.0.0.0', TRUST_PROXY: 'loopback' }, /PLAIN_HTTP_BEHIND_PROXY=1/],
        [{ HOST: '0.0.0.0', TRUST_PROXY: 'loopback', PLAIN_HTTP_BEHIND_PROXY: '1', PUBLIC_URL: 'https://portal.example.org' }, /TRUST_PROXY/],
        [{ HOST: '0.0.0.0', PLAIN_HTTP_BEHIND_PROXY: '1', PUBLIC_URL: 'https://portal.example.org' }, /TRUST_PROXY/],
        [{ HOST: '0.0.0.0', TRUST_PROXY: '10.0.0.5', PLAIN_HTTP_BEHIND_PROXY: '1' }, /PUBLIC_URL/],
        [{ HOST: '0.0.0.0', TRUST_PROXY: '10.0.0.5', PLAIN_HTTP_BEHIND_PROXY: 'yes', PUBLIC_URL: 'https://portal.example.org' }, /must be 1/],
        [{ HOST: '0.0.0.0', TRUST_PROXY: '10.0.0.5', PLAIN_HTTP_BEHIND_PROXY: '1', PUBLIC_URL: 'http://portal.example.org' }, /PUBLIC_URL .* must use https/],
        [{ PUBLIC_URL: 'http://portal.example.org' }, /must use https/],
        [{ PUBLIC_URL: 'https://attacker:pw@portal.example.org' }, /user name/],
        [{ PUBLIC_URL: 'not a url' }, /not an address/],
      ];
      for (const [env, message] of refusals) {
        expect(() => readConfig({ ...env, DATA_DIR: dataDir, PORT: '0' }), JSON.stringify(env)).toThrow(message);
      }
      // A hand-built config is refused by the server itself, before it makes any folder or opens a port.
      await expect(startPortalServer({ dataDir, port: 0, host: '0.0.0.0', trustProxy: '10.0.0.5' }, () => undefined)).rejects.toThrow(/PLAIN_HTTP_BEHIND_PROXY=1/);
      await expect(startPortalServer({ dataDir, port: 0, host: '127.0.0.1', publicUrl: 'http://portal.example.org' }, () => undefined)).rejects.toThrow(/must use https/);
      expect(existsSync(dataDir)).toBe(false);
      // The documented opt-in, with the proxy named and the https address set, is accepted.
      const ok = readConfig({ HOST: '0.0.0.0', TRUST_PROXY: '10.0.0.5', PLAIN_HTTP_BEHIND_PROXY: '1', PUBLIC_URL: 'https://portal.example.org', DATA_DIR: dataDir, PORT: '0' });
      expect([ok.plainHttpBehindProxy, ok.publicUrl]).toEqual([true, 'https://portal.example.org']);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
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
