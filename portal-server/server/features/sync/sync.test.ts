import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import { ChangeLogEntity, MailOutboxEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { PullResponse } from '../../../../shared/sync/protocol';
import { SYNC_PROTOCOL_VERSION } from '../../../../shared/sync/protocol';
import { readMails } from '../../../../test/fixtures/mail';
import { listenPokes } from '../../../../test/fixtures/events';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, TestConsole, addStaff, api, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let adminToken: string;
let deskToken: string;

beforeAll(async () => {
  portal = await startTestPortal();
  adminToken = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  deskToken = await addStaff(portal.url, adminToken, 'desk2', 'receptionist');
});
afterAll(async () => {
  await portal.stop();
});

const patientCount = () => portal.handle.context.db.read((m) => m.count(PatientEntity));
const mailCount = () => portal.handle.context.db.read((m) => m.count(MailOutboxEntity));

describe('POST /api/sync/push', () => {
  it('a push retried after a lost reply applies nothing twice and sends one email', async () => {
    const desk = new TestConsole(portal.url, deskToken);
    const email = 'retry@example.com';
    const m = desk.mutation('preRegisterPatient', {
      patientId: randomUUID(), givenName: 'Rita', familyName: 'Retry', dateOfBirth: '1990-05-05', email, phone: '', invitationId: randomUUID(),
    });
    const first = await desk.push([m]);
    expect(first.body.outcomes).toEqual([{ seq: 1, status: 'applied' }]);
    // The console never saw that reply and sends the same batch again, twice at once.
    const [again, again2] = await Promise.all([desk.push([m]), desk.push([m])]);
    expect(again.body.outcomes).toEqual([{ seq: 1, status: 'duplicate' }]);
    expect(again2.body.outcomes).toEqual([{ seq: 1, status: 'duplicate' }]);
    await portal.handle.flushMail();
    expect((await readMails(portal.mailDir)).filter((x) => x.to.includes(email))).toHaveLength(1);
  });

  it('records a refused mutation with its reason, advances past it and keeps going', async () => {
    const desk = new TestConsole(portal.url, deskToken);
    const before = await patientCount();
    const bad = desk.mutation('preRegisterPatient', {
      patientId: randomUUID(), givenName: '', familyName: 'Nobody', dateOfBirth: '2999-01-01', email: 'not-an-email', phone: '', invitationId: null,
    });
    const good = desk.mutation('preRegisterPatient', {
      patientId: randomUUID(), givenName: 'Gail', familyName: 'Good', dateOfBirth: '1980-02-29', email: 'gail@example.com', phone: '555-0100', invitationId: null,
    });
    const res = await desk.push([bad, good]);
    expect(res.body.lastSeq).toBe(2);
    expect(res.body.outcomes[0]?.status).toBe('rejected');
    expect(res.body.outcomes[0]?.error?.code).toBe('validation_failed');
    expect(res.body.outcomes[1]).toEqual({ seq: 2, status: 'applied' });
    expect(await patientCount()).toBe(before + 1);
    // Retrying gives the same answer, recorded.
    const retry = await desk.push([bad]);
    expect(retry.body.outcomes[0]?.status).toBe('rejected');
    expect(retry.body.outcomes[0]?.error?.code).toBe('validation_failed');
  });

  it('stops at a gap in the sequence instead of applying out of order', async () => {
    const desk = new TestConsole(portal.url, deskToken);
    const a = desk.mutation('preRegisterPatient', { patientId: randomUUID(), givenName: 'Gap', familyName: 'One', dateOfBirth: '1970-01-01', email: 'gap1@example.com', phone: '', invitationId: null });
    const b = desk.mutation('preRegisterPatient', { patientId: randomUUID(), givenName: 'Gap', familyName: 'Two', dateOfBirth: '1970-01-01', email: 'gap2@example.com', phone: '', invitationId: null });
    const res = await desk.push([b]);
    expect(res.body).toEqual({ lastSeq: 0, outcomes: [], serverTime: expect.any(String) });
    const res2 = await desk.push([b, a]);
    expect(res2.body.outcomes.map((o) => o.status)).toEqual(['applied', 'applied']);
  });

  it('concurrent pushes from many consoles lose no write and keep the change log gap-free', async () => {
    const desks = Array.from({ length: 8 }, () => new TestConsole(portal.url, deskToken));
    const before = await patientCount();
    const results = await Promise.all(desks.map((d, i) => d.preRegister({ email: `concurrent${i}@example.com`, givenName: `C${i}` })));
    expect(results.every((r) => r.response.outcomes[0]?.status === 'applied')).toBe(true);
    expect(await patientCount()).toBe(before + 8);
    const seqs = await portal.handle.context.db.read(async (m) => (await m.find(ChangeLogEntity, { order: { seq: 'ASC' } })).map((c) => c.seq));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });

  it('refuses a malformed push and writes nothing', async () => {
    const before = [await patientCount(), await mailCount()];
    const res = await api<ApiErrorResponse>(portal.url, '/api/sync/push', { token: deskToken, body: { clientId: 'nope', mutations: [{}] } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect([await patientCount(), await mailCount()]).toEqual(before);
  });

  it('answers an old console with 426 and a clear message', async () => {
    const res = await api<ApiErrorResponse>(portal.url, '/api/sync/pull?seq=0', { headers: { authorization: `Bearer ${deskToken}`, 'x-sync-protocol': '0' } });
    expect(res.status).toBe(426);
    expect(res.body.error.code).toBe('protocol_outdated');
    expect(res.body.error.message).toMatch(/Update the console/);
  });

  it('tells a desk about to join which clinic and protocol this is, without a sign-in and with no health data', async () => {
    const res = await api<Record<string, unknown>>(portal.url, '/api/sync/server-info');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ clinicId: expect.any(String), clinicName: TEST_CLINIC.name, protocolVersion: SYNC_PROTOCOL_VERSION });
  });

  it('refuses a push without a valid device token', async () => {
    const before = await patientCount();
    const desk = new TestConsole(portal.url, 'x'.repeat(43));
    const res = await desk.preRegister({ email: 'intruder@example.com' });
    expect(res.response).toMatchObject({ error: { code: 'not_signed_in' } });
    expect(await patientCount()).toBe(before);
  });
});

describe('GET /api/sync/pull', () => {
  it('pages through changes by cursor, each row once with its current state, and resets on another epoch', async () => {
    const all: PullResponse['changes'] = [];
    let cursor = { epoch: '', seq: 0 };
    let pages = 0;
    for (;;) {
      const res = await api<PullResponse>(portal.url, `/api/sync/pull?epoch=${cursor.epoch}&seq=${cursor.seq}&limit=3`, { token: deskToken });
      expect(res.status).toBe(200);
      all.push(...res.body.changes);
      cursor = res.body.cursor;
      pages += 1;
      if (!res.body.more) {
        break;
      }
    }
    expect(pages).toBeGreaterThan(2);
    const patients = all.filter((c) => c.table === 'patient');
    expect(new Set(patients.map((c) => (c.op === 'upsert' ? c.row.id : c.id))).size).toBe(await patientCount());
    const reset = await api<PullResponse>(portal.url, `/api/sync/pull?epoch=${randomUUID()}&seq=${cursor.seq}`, { token: deskToken });
    expect(reset.body.reset).toBe(true);
    expect(reset.body.changes.length).toBeGreaterThan(0);
  });

  it('pokes a connected console over server-sent events when something changes', async () => {
    const stream = await listenPokes(portal.url, deskToken);
    try {
      await expect.poll(() => stream.pokes.length, { timeout: 10_000 }).toBeGreaterThan(0);
      const firstHead = stream.head;
      await new TestConsole(portal.url, deskToken).preRegister({ email: 'poke@example.com' });
      // Waits for the poke this change makes: a poke for something else (a mail of an earlier
      // test being sent) may come first and carry the same head.
      await expect.poll(() => stream.head, { timeout: 10_000 }).toBeGreaterThan(firstHead);
    } finally {
      stream.close();
    }
  });
});

describe('staff administration', () => {
  it('only an admin adds staff; a receptionist is refused and nothing is created', async () => {
    const refused = await api<ApiErrorResponse>(portal.url, '/api/staff/users', { token: deskToken, body: { username: 'sneaky1', displayName: 'Sneaky', role: 'admin', password: 'Sneaky123' } });
    expect(refused.status).toBe(403);
    const list = await api<{ username: string }[]>(portal.url, '/api/staff/users', { token: adminToken });
    expect(list.body.map((s) => s.username)).not.toContain('sneaky1');
  });

  it('deactivating a staff member revokes their consoles at once; a password reset works', async () => {
    const token = await addStaff(portal.url, adminToken, 'leaver1', 'physician', 'Leaving-Maple-Ferns-29');
    const list = await api<{ id: string; username: string }[]>(portal.url, '/api/staff/users', { token: adminToken });
    const id = list.body.find((s) => s.username === 'leaver1')?.id ?? '';
    expect((await api(portal.url, `/api/staff/users/${id}`, { method: 'PATCH', token: adminToken, body: { active: false } })).status).toBe(200);
    expect((await api(portal.url, '/api/staff/me', { token })).status).toBe(401);
    expect((await api(portal.url, '/api/staff/sign-in', { body: { username: 'leaver1', password: 'Leaving-Maple-Ferns-29', deviceName: 'x' } })).status).toBe(401);
    await api(portal.url, `/api/staff/users/${id}`, { method: 'PATCH', token: adminToken, body: { active: true } });
    expect((await api(portal.url, `/api/staff/users/${id}/password`, { token: adminToken, body: { password: 'Returning-Cedar-Path-64' } })).status).toBe(200);
    expect((await signInStaff(portal.url, 'leaver1', 'Returning-Cedar-Path-64')).staff.role).toBe('physician');
  });

  it('wrong staff credentials get one message whether or not the user exists', async () => {
    const a = await api<ApiErrorResponse>(portal.url, '/api/staff/sign-in', { body: { username: 'nobody-here', password: 'x', deviceName: 'x' } });
    const b = await api<ApiErrorResponse>(portal.url, '/api/staff/sign-in', { body: { username: TEST_CLINIC.adminUsername, password: 'wrong', deviceName: 'x' } });
    expect(a.status).toBe(401);
    expect(a.body).toEqual(b.body);
  });
});

describe('server basics', () => {
  it('answers /healthz, JSON 404s for unknown API paths, and no-store on the API', async () => {
    const health = await api<{ ok: boolean; setUp: boolean }>(portal.url, '/healthz');
    expect(health.body).toMatchObject({ ok: true, setUp: true });
    const missing = await api<ApiErrorResponse>(portal.url, '/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect(missing.headers.get('cache-control')).toBe('no-store');
    const clinic = await api<{ name: string; passwordPolicy: string }>(portal.url, '/api/clinic');
    expect(clinic.body).toMatchObject({ name: TEST_CLINIC.name, passwordPolicy: 'default' });
    expect(clinic.headers.get('referrer-policy')).toBe('no-referrer');
    expect(clinic.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

