import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadSummaryView } from '../../shared/domain/message';
import { DEFAULT_PATIENT_WRITES_PER_HOUR } from '../../portal-server/server/features/patient-session/routes';
import type { HostilePortal, PatientBrowser } from './helpers';
import { expectRefused, http, nextIp, signInPatient, startHostilePortal } from './helpers';

/** A signed-in patient's writes are limited per account; opening what is there is a POST, never a GET. */
let hp: HostilePortal;
let james: PatientBrowser;
let ana: PatientBrowser;

beforeAll(async () => {
  hp = await startHostilePortal();
  james = await signInPatient(hp.url, hp.james.username, hp.james.password);
  ana = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
});
afterAll(async () => {
  await hp.stop();
});

describe("a signed-in patient's writes", () => {
  it(`are refused after ${DEFAULT_PATIENT_WRITES_PER_HOUR} an hour per account, from any address, with nothing written; another patient and signing out are not affected`, async () => {
    const [thread] = await hp.rows<{ id: string }>('SELECT id FROM message_thread WHERE patientId = ? LIMIT 1', [hp.james.patientId]);
    const reply = (ip: string) => james.send(`/api/messages/${thread?.id ?? ''}/replies`, { body: 'Hello again' }, { headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < DEFAULT_PATIENT_WRITES_PER_HOUR; i += 1) {
      expect((await reply(nextIp())).status).toBe(201);
    }
    const before = await hp.snapshot();
    const refused = await reply(nextIp());
    expectRefused(refused, 429, 'rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expectRefused(await james.send('/api/messages', { subject: 'Another', body: 'Spam' }), 429, 'rate_limited');
    expect(await hp.snapshot()).toEqual(before);
    // Reading still works, Ana is not affected, and James can sign out.
    expect((await james.get('/api/messages')).status).toBe(200);
    expect((await ana.send('/api/messages', { subject: 'Question', body: 'About my inhaler' })).status).toBe(201);
    expect((await james.send('/api/session', {}, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('opening a thread or the record', () => {
  it('is no longer a GET: a cross-site link cannot mark messages read or write a view audit event', async () => {
    const [thread] = await hp.rows<{ id: string }>('SELECT id FROM message_thread WHERE patientId = ? LIMIT 1', [hp.ana.patientId]);
    await hp.rows("UPDATE message SET readAt = NULL WHERE threadId = ? AND authorKind = 'staff'", [thread?.id ?? '']);
    const before = await hp.snapshot([...(['message', 'message_thread'] as const), 'audit_event']);
    for (const path of [`/api/messages/${thread?.id ?? ''}`, `/api/messages/${thread?.id ?? ''}/read`, '/api/record', '/api/record/view']) {
      const res = await http(hp.url, path, { headers: { cookie: ana.cookieHeader, 'x-forwarded-for': ana.ip } });
      expect([path, res.status]).toEqual([path, 404]);
    }
    // A forged POST (no CSRF token, a foreign Origin) is refused too.
    const forged = await http(hp.url, `/api/messages/${thread?.id ?? ''}/read`, { body: {}, headers: { cookie: ana.cookieHeader, origin: 'https://evil.example', 'x-forwarded-for': ana.ip } });
    expect(forged.status).toBe(403);
    expect(await hp.snapshot([...(['message', 'message_thread'] as const), 'audit_event'])).toEqual(before);
    // The portal's own POST does both.
    const opened = await ana.send<{ unread: number }>(`/api/messages/${thread?.id ?? ''}/read`);
    expect(opened.status).toBe(200);
    expect(await hp.count('message', "threadId = ? AND authorKind = 'staff' AND readAt IS NULL", [thread?.id ?? ''])).toBe(0);
    const views = await hp.count('audit_event', "action = 'record.view' AND entityId = ?", [hp.ana.patientId]);
    expect((await ana.send('/api/record/view')).status).toBe(200);
    expect(await hp.count('audit_event', "action = 'record.view' AND entityId = ?", [hp.ana.patientId])).toBe(views + 1);
    expect((await ana.get<ThreadSummaryView[]>('/api/messages')).status).toBe(200);
  });
});
