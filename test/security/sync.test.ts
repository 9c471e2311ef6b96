import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation, PushResponse } from '../../shared/sync/protocol';
import { SYNC_PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../shared/sync/protocol';
import { MAX_SEQ } from '../../portal-server/server/features/sync/service';
import type { AppointmentView } from '../../shared/domain/appointment';
import type { HostilePortal, PatientBrowser, TableName } from './helpers';
import { DEMO, DOMAIN_TABLES, Desk, expectRefused, http, signInPatient, signInStaff, startHostilePortal } from './helpers';

/** The console's sync API: a replayed push applies nothing twice, and only a live device token gets in. */
let hp: HostilePortal;
let james: PatientBrowser;
beforeAll(async () => {
  hp = await startHostilePortal();
  james = await signInPatient(hp.url, hp.james.username, hp.james.password);
});
afterAll(async () => {
  await hp.stop();
});

/** Everything a replay could touch, including the per-console sequence and refusal records. */
const REPLAY_TABLES: TableName[] = [...DOMAIN_TABLES, 'audit_event', 'client_mutation', 'mutation_rejection', 'mutation_intent'];
const receptionist = DEMO.staff.find((s) => s.role === 'receptionist') ?? { username: '', password: '' };
const freshDesk = async (): Promise<Desk> => {
  const s = await signInStaff(hp.url, receptionist.username, receptionist.password);
  return new Desk(hp.url, s.token, s.staff.id);
};

/** A batch a console really sends: a pre-registration, a new thread, a reply and a decline. */
async function realBatch(desk: Desk): Promise<Mutation[]> {
  const [thread] = await hp.rows<{ id: string }>('SELECT id FROM message_thread WHERE patientId = ?', [hp.james.patientId]);
  const request = await james.send<AppointmentView>('/api/appointments', { reason: 'Knee pain', preferredPhysicianId: null, preferredTimes: 'Any' });
  return [
    desk.mutation('preRegisterPatient', { patientId: randomUUID(), givenName: 'Replay', familyName: 'Target', dateOfBirth: '1975-05-05', email: 'replay@example.com', phone: '', invitationId: null }),
    desk.mutation('startThread', { threadId: randomUUID(), messageId: randomUUID(), patientId: hp.ana.patientId, subject: 'Your results', body: 'Please call us.' }),
    desk.mutation('replyToThread', { threadId: thread?.id ?? '', messageId: randomUUID(), body: 'We got your readings.' }),
    desk.mutation('declineAppointment', { appointmentId: request.body.id, reason: 'Please call to book.', baseVersion: 1 }),
  ];
}

describe('replayed pushes', () => {
  it('the same batch pushed twice applies once: the second answer is "duplicate" for each, and nothing changes', async () => {
    const desk = await freshDesk();
    const batch = await realBatch(desk);
    const first = await desk.push(batch);
    expect(first.body.outcomes.map((o) => o.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    const before = await hp.snapshot(REPLAY_TABLES);
    const replay = await desk.push(batch);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ lastSeq: 4, outcomes: batch.map((m) => ({ seq: m.seq, status: 'duplicate' })), serverTime: expect.any(String) });
    expect(await hp.snapshot(REPLAY_TABLES)).toEqual(before);
  });

  it("another console replaying a captured batch under its own client id and token gets every change refused, and nothing is applied twice", async () => {
    const victim = await freshDesk();
    const batch = await realBatch(victim);
    expect((await victim.push(batch)).body.outcomes.every((o) => o.status === 'applied')).toBe(true);
    const before = await hp.snapshot();
    // Another receptionist's console (an admin may not answer patients by default: that refusal is not this case's).
    const thief = new Desk(hp.url, hp.receptionist.token, hp.receptionist.staffId);
    const replay = await thief.push(batch);
    expect(replay.body.outcomes.map((o) => [o.status, o.error?.code])).toEqual([
      ['rejected', 'conflict'],
      ['rejected', 'conflict'],
      ['rejected', 'conflict'],
      ['rejected', 'conflict'],
    ]);
    expect(await hp.snapshot()).toEqual(before);
  });

  it("another console's token cannot push under this console's client id, pass its seqs with prevSeq or use them up; nothing changes", async () => {
    const victim = await freshDesk();
    const batch = await realBatch(victim);
    expect((await victim.push(batch.slice(0, 1))).body.lastSeq).toBe(1);
    const intruder = await freshDesk();
    expect((await intruder.push([])).status).toBe(200);
    const last = batch[3] as Mutation;
    const before = await hp.snapshot([...REPLAY_TABLES, 'client_binding']);
    for (const mutations of [batch.slice(1), [{ ...last, prevSeq: 1 }], [{ ...last, seq: MAX_SEQ, prevSeq: 1 }], []]) {
      expectRefused(await intruder.push(mutations, { clientId: victim.clientId }), 403, 'forbidden');
    }
    expectRefused(await intruder.call('/api/sync/client', { body: { clientId: victim.clientId } }), 403, 'forbidden');
    expect(await hp.snapshot([...REPLAY_TABLES, 'client_binding'])).toEqual(before);
    expect((await victim.push(batch.slice(1))).body.outcomes.map((o) => o.status)).toEqual(['applied', 'applied', 'applied']);
  });

  it('a batch that skips sequence numbers stops at the gap and applies nothing out of order', async () => {
    const desk = await freshDesk();
    const batch = await realBatch(desk);
    const before = await hp.snapshot();
    const res = await desk.push(batch.slice(1));
    expect(res.body).toEqual({ lastSeq: 0, outcomes: [], serverTime: expect.any(String) });
    expect(await hp.snapshot()).toEqual(before);
  });
});

describe('who may push and pull', () => {
  it('refuses garbage, malformed and made-up tokens with 401, and applies nothing', async () => {
    const desk = await freshDesk();
    const batch = await realBatch(desk);
    const before = await hp.snapshot();
    const headers = (authorization: string) => ({ authorization, [SYNC_PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION) });
    for (const authorization of ['', 'Bearer', 'Bearer ', `Bearer ${'A'.repeat(43)}`, "Bearer ' OR 1=1 --", `Basic ${Buffer.from('frontdesk1:Desk2Work').toString('base64')}`, `bearer ${desk.token}x`, desk.token]) {
      const push = await http<PushResponse>(hp.url, '/api/sync/push', { body: { clientId: desk.clientId, mutations: batch }, headers: headers(authorization) });
      expectRefused(push, 401, 'not_signed_in');
      expectRefused(await http(hp.url, '/api/sync/pull?epoch=&seq=0', { headers: headers(authorization) }), 401, 'not_signed_in');
    }
    expect(await hp.snapshot()).toEqual(before);
  });

  it('refuses a signed-out console at once: its old token can neither push nor pull', async () => {
    const desk = await freshDesk();
    expect((await desk.call('/api/staff/sign-out', { method: 'POST' })).status).toBe(204);
    const batch = await realBatch(desk);
    const before = await hp.snapshot();
    expectRefused(await desk.push(batch), 401, 'not_signed_in');
    expectRefused(await desk.call('/api/sync/pull?epoch=&seq=0'), 401, 'not_signed_in');
    expectRefused(await desk.call('/api/staff/me'), 401, 'not_signed_in');
    expect(await hp.snapshot()).toEqual(before);
  });

  it("refuses a deactivated staff member's consoles at once", async () => {
    const created = await hp.admin.call<{ id: string }>('/api/staff/users', { body: { username: 'tempdesk1', displayName: 'Temp Desk', role: 'receptionist', password: 'Temporary-Desk-Otter-52' } });
    expect(created.status).toBe(201);
    const temp = await signInStaff(hp.url, 'tempdesk1', 'Temporary-Desk-Otter-52');
    const desk = new Desk(hp.url, temp.token, temp.staff.id);
    expect((await hp.admin.call(`/api/staff/users/${created.body.id}`, { method: 'PATCH', body: { active: false } })).status).toBe(200);
    const batch = await realBatch(desk);
    const before = await hp.snapshot();
    expectRefused(await desk.push(batch), 401, 'not_signed_in');
    expectRefused(await desk.call('/api/sync/pull?epoch=&seq=0'), 401, 'not_signed_in');
    expect(await hp.snapshot()).toEqual(before);
  });

  it('refuses an oversized batch whole (413), applying none of it', async () => {
    const desk = await freshDesk();
    const mutations = Array.from({ length: 201 }, () =>
      desk.mutation('recordViewed', { patientId: hp.james.patientId, viewedAt: new Date().toISOString() }),
    );
    const before = await hp.snapshot(['audit_event', 'client_mutation']);
    expectRefused(await desk.push(mutations), 413, 'payload_too_large');
    expect(await hp.snapshot(['audit_event', 'client_mutation'])).toEqual(before);
  });
});

describe("times a console claims", () => {
  it("a record view dated 1970, in the far future or at the edges of Date is shown to the patient at the server's time, and no claimed time is stored", async () => {
    const desk = await freshDesk();
    const before = await hp.snapshot();
    const from = Date.now();
    for (const viewedAt of ['1970-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z']) {
      expect((await desk.apply('recordViewed', { patientId: hp.james.patientId, viewedAt })).status).toBe('applied');
    }
    const to = Date.now();
    const access = await james.get<{ at: string; what: string }[]>('/api/account/record-access');
    expect(access.status).toBe(200);
    const views = access.body.filter((e) => e.what === 'Viewed your medical record').map((e) => Date.parse(e.at));
    expect(views.length).toBeGreaterThanOrEqual(4);
    const shown = views.slice(0, 4);
    expect(shown.every((t) => t >= from && t <= to)).toBe(true);
    const details = (await hp.rows<{ detail: string }>("SELECT detail FROM audit_event WHERE action = 'record.view' AND entityId = ?", [hp.james.patientId])).map((r) => r.detail);
    expect(details.filter((d) => /1970|2999|275760|271821/.test(d))).toEqual([]);
    // A view is audited, nothing else changes.
    expect(await hp.snapshot()).toEqual(before);
  });
});
