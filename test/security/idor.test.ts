import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentView } from '../../shared/domain/appointment';
import type { HostilePortal, PatientBrowser } from './helpers';
import { expectRefused, futureSlot, signInPatient, startHostilePortal } from './helpers';

/**
 * Insecure direct object references: James (patient A) aims every patient route at Ana's (patient
 * B's) ids. Each answer is the same "not found" an unknown id gets, and Ana's rows do not move.
 */
let hp: HostilePortal;
let james: PatientBrowser;
let ana: PatientBrowser;
const b = { scheduled: '', proposed: '', thread: '', medication: '', renewal: '' };

beforeAll(async () => {
  hp = await startHostilePortal();
  james = await signInPatient(hp.url, hp.james.username, hp.james.password);
  ana = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
  const id = async (sql: string): Promise<string> => (await hp.rows<{ id: string }>(sql, [hp.ana.patientId]))[0]?.id ?? '';
  b.scheduled = await id("SELECT id FROM appointment WHERE patientId = ? AND status = 'scheduled'");
  b.thread = await id('SELECT id FROM message_thread WHERE patientId = ?');
  b.medication = await id("SELECT id FROM record_entry WHERE patientId = ? AND kind = 'medication' AND fields LIKE '%Fluticasone%'");
  b.renewal = await id('SELECT id FROM renewal_request WHERE patientId = ?');
  // Ana asks for a visit and the desk proposes a time: a proposal James could try to accept or decline.
  const asked = await ana.send<AppointmentView>('/api/appointments', { reason: 'Inhaler check', preferredPhysicianId: null, preferredTimes: 'Mornings' });
  expect(asked.status).toBe(201);
  b.proposed = asked.body.id;
  const proposed = await hp.receptionist.apply('proposeAppointment', { appointmentId: b.proposed, physicianId: hp.physician.staffId, start: futureSlot(12), durationMinutes: 30, note: 'Would this suit?', baseVersion: 1 });
  expect(proposed.status).toBe('applied');
  expect(Object.values(b).every(Boolean)).toBe(true);
});
afterAll(async () => {
  await hp.stop();
});

/** James's call on Ana's id and on a random id: both refused alike, and nothing anywhere changed. */
async function expectNotFoundAlike(call: (id: string) => Promise<{ status: number; body: unknown; headers: Headers; text: string }>, anasId: string, status = 404, code: 'not_found' | 'validation_failed' = 'not_found'): Promise<void> {
  const before = await hp.snapshot();
  const onAnas = await call(anasId);
  const onUnknown = await call(randomUUID());
  expectRefused(onAnas, status, code);
  expect(onAnas.body).toEqual(onUnknown.body);
  expect(await hp.snapshot()).toEqual(before);
}

describe("patient A aiming at patient B's appointments", () => {
  it("cannot cancel B's scheduled appointment", async () => {
    await expectNotFoundAlike((id) => james.send(`/api/appointments/${id}/cancel`), b.scheduled);
  });

  it("cannot accept the time the clinic proposed to B", async () => {
    await expectNotFoundAlike((id) => james.send(`/api/appointments/${id}/accept`), b.proposed);
  });

  it("cannot decline the time the clinic proposed to B", async () => {
    await expectNotFoundAlike((id) => james.send(`/api/appointments/${id}/decline`), b.proposed);
  });
});

describe("patient A aiming at patient B's messages", () => {
  it("cannot read B's thread (nor mark the clinic's messages in it read)", async () => {
    await expectNotFoundAlike((id) => james.send(`/api/messages/${id}/read`), b.thread);
  });

  it("cannot reply into B's thread", async () => {
    await expectNotFoundAlike((id) => james.send(`/api/messages/${id}/replies`, { body: 'Injected into your conversation' }), b.thread);
  });
});

describe("patient A aiming at patient B's medications and record", () => {
  it("cannot ask to renew B's medication: the same field error as an unknown medication, and no renewal", async () => {
    await expectNotFoundAlike((id) => james.send('/api/renewals', { medicationId: id, pharmacy: 'Anywhere', note: '' }), b.medication, 400, 'validation_failed');
  });

  it("never sees B's rows in any list or the record, whatever ids the request names", async () => {
    const bIds = [hp.ana.patientId, b.scheduled, b.proposed, b.thread, b.medication, b.renewal];
    const query = `?patientId=${hp.ana.patientId}&patient=${hp.ana.patientId}&id=${b.thread}`;
    const headers = { 'x-patient-id': hp.ana.patientId };
    const before = await hp.snapshot();
    for (const path of ['/api/record/view', '/api/home', '/api/appointments', '/api/renewals', '/api/messages', '/api/session', '/api/account/record-access']) {
      // Opening the record is a POST (it writes an audit event), with the ids in the body as well.
      const res = path === '/api/record/view' ? await james.send(`${path}${query}`, { patientId: hp.ana.patientId }, { headers }) : await james.get(`${path}${query}`, headers);
      expect(res.status).toBe(200);
      for (const id of bIds) {
        expect(res.text).not.toContain(id);
      }
      for (const phi of ['Silva', 'Albuterol', 'Peanuts', 'Asthma', 'Inhaler']) {
        expect(res.text).not.toContain(phi);
      }
    }
    expect(await hp.snapshot()).toEqual(before);
    // …and B still sees her own.
    expect((await ana.send('/api/record/view')).text).toContain('Peanuts');
  });

  it('answers malformed and path-like ids with a plain "not found" and touches nothing', async () => {
    const before = await hp.snapshot();
    for (const id of ["1' OR '1'='1", '..%2F..%2Fapi%2Frecord', '%', b.thread.toUpperCase(), `${b.thread} `]) {
      expectRefused(await james.send(`/api/messages/${encodeURIComponent(id)}/read`), 404, 'not_found');
      expectRefused(await james.send(`/api/appointments/${encodeURIComponent(id)}/cancel`), 404, 'not_found');
    }
    expect(await hp.snapshot()).toEqual(before);
  });
});
