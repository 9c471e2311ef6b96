import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import type { AppointmentsView, PhysicianOption } from '../../../../shared/api/patient';
import type { AppointmentView } from '../../../../shared/domain/appointment';
import { AppointmentEntity } from '../../../../shared/node/entities/clinical';
import { waitForMail } from '../../../../test/fixtures/mail';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicWithTwoPatients, futureSlot, pulledRow } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, api } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let team: ClinicTeam;
let ann: PatientClient;
let bob: PatientClient;

beforeAll(async () => {
  ({ portal, team, ann, bob } = await clinicWithTwoPatients());
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
const row = (id: string) => db().read((m) => m.findOneByOrFail(AppointmentEntity, { id }));
const count = () => db().read((m) => m.count(AppointmentEntity));

async function request(patient: PatientClient, reason = 'Sore throat for a week'): Promise<AppointmentView> {
  const res = await patient.post<AppointmentView>('/api/appointments', { reason, preferredPhysicianId: null, preferredTimes: 'Mornings' });
  expect(res.status).toBe(201);
  return res.body;
}

describe('patient: requesting appointments', () => {
  it('lists the active physicians and files a request the desk sees on its next pull', async () => {
    const physicians = await ann.get<PhysicianOption[]>('/api/physicians');
    expect(physicians.body).toEqual([{ id: team.doctor.id, displayName: 'Dr. Sam Patel' }]);
    const res = await ann.post<AppointmentView>('/api/appointments', { reason: 'Follow-up on blood pressure', preferredPhysicianId: team.doctor.id, preferredTimes: 'Tuesday mornings' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'requested', reason: 'Follow-up on blood pressure', preferredTimes: 'Tuesday mornings', canCancel: true, start: null });
    const synced = await pulledRow(portal.url, team.desk.console.token, 'appointment', res.body.id);
    expect(synced).toMatchObject({ patientId: ann.patientId, preferredPhysicianId: team.doctor.id, status: 'requested', version: 1 });
    const list = await ann.get<AppointmentsView>('/api/appointments');
    expect(list.body.open.map((a) => a.id)).toContain(res.body.id);
    expect(list.body).toMatchObject({ cancelCutoffHours: 24, timeZone: TEST_CLINIC.timeZone });
  });

  it('refuses bad input field by field, a non-physician as preferred physician, and a missing CSRF token — writing nothing', async () => {
    const before = await count();
    const bad = await ann.post<ApiErrorResponse>('/api/appointments', { reason: '  ', preferredPhysicianId: 'nope', preferredTimes: 'x'.repeat(201) });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields ?? {}).sort()).toEqual(['preferredPhysicianId', 'preferredTimes', 'reason']);
    const notDoctor = await ann.post<ApiErrorResponse>('/api/appointments', { reason: 'Check-up', preferredPhysicianId: team.desk.id, preferredTimes: 'Any' });
    expect(notDoctor.body.error.fields?.preferredPhysicianId).toMatch(/Choose a physician/);
    const noCsrf = await api<ApiErrorResponse>(portal.url, '/api/appointments', { body: { reason: 'x', preferredPhysicianId: null, preferredTimes: 'y' }, headers: { cookie: ann.cookie } });
    expect(noCsrf.body.error.code).toBe('csrf_failed');
    const signedOut = await api<ApiErrorResponse>(portal.url, '/api/appointments');
    expect(signedOut.status).toBe(401);
    expect(await count()).toBe(before);
  });
});

describe('desk and patient: the life of a request', () => {
  it('scheduling shows it upcoming with the physician, and mails the patient without any detail', async () => {
    const appt = await request(ann, 'Rash on left arm');
    const start = futureSlot(20, 15);
    expect(await team.desk.apply('scheduleAppointment', { appointmentId: appt.id, physicianId: team.doctor.id, start, durationMinutes: 30, baseVersion: 1 })).toEqual({ seq: expect.any(Number), status: 'applied' });
    const list = await ann.get<AppointmentsView>('/api/appointments');
    expect(list.body.upcoming.find((a) => a.id === appt.id)).toMatchObject({ status: 'scheduled', physicianName: 'Dr. Sam Patel', start, canCancel: true });
    await portal.handle.flushMail();
    const mail = await waitForMail(portal.mailDir, ann.email);
    expect(mail.text).toContain(`There is an update about your appointment request at ${TEST_CLINIC.name}. Sign in to see it: ${portal.url}/appointments`);
    for (const phi of ['Rash', 'Patel', 'Ann', String(new Date(start).getUTCFullYear())]) {
      expect(mail.text + mail.subject + mail.html).not.toContain(phi);
    }
  });

  it('a declined proposal goes back to the desk with its note; a proposal accepted is scheduled', async () => {
    const appt = await request(ann);
    const first = futureSlot(21, 15);
    expect((await team.desk.apply('proposeAppointment', { appointmentId: appt.id, physicianId: team.doctor.id, start: first, durationMinutes: 20, note: 'Dr. Patel is free that afternoon.', baseVersion: 1 })).status).toBe('applied');
    const declined = await ann.post<AppointmentView>(`/api/appointments/${appt.id}/decline`);
    expect(declined.body).toMatchObject({ status: 'requested', staffNote: 'Dr. Patel is free that afternoon.', start: null });
    const second = futureSlot(22, 16);
    expect((await team.desk.apply('proposeAppointment', { appointmentId: appt.id, physicianId: team.doctor.id, start: second, durationMinutes: 20, note: '', baseVersion: 3 })).status).toBe('applied');
    const accepted = await ann.post<AppointmentView>(`/api/appointments/${appt.id}/accept`);
    expect(accepted.body).toMatchObject({ status: 'scheduled', start: second, physicianName: 'Dr. Sam Patel' });
    expect((await ann.post<ApiErrorResponse>(`/api/appointments/${appt.id}/accept`)).body.error.code).toBe('conflict');
  });

  it('a decline needs a reason the patient will see, and then shows it', async () => {
    const appt = await request(ann);
    const refused = await team.desk.apply('declineAppointment', { appointmentId: appt.id, reason: ' ', baseVersion: 1 });
    expect(refused.error?.code).toBe('validation_failed');
    expect((await row(appt.id)).status).toBe('requested');
    expect((await team.desk.apply('declineAppointment', { appointmentId: appt.id, reason: 'Please see a dermatologist for this.', baseVersion: 1 })).status).toBe('applied');
    const list = await ann.get<AppointmentsView>('/api/appointments');
    expect(list.body.open.find((a) => a.id === appt.id)).toMatchObject({ status: 'declined', staffNote: 'Please see a dermatologist for this.', canCancel: false });
  });

  it('the patient cancels before the cutoff; after it, a clear refusal and nothing changes', async () => {
    const early = await request(ann);
    await team.desk.apply('scheduleAppointment', { appointmentId: early.id, physicianId: team.doctor.id, start: futureSlot(23, 15), durationMinutes: 15, baseVersion: 1 });
    expect((await ann.post<AppointmentView>(`/api/appointments/${early.id}/cancel`)).body).toMatchObject({ status: 'cancelled', canCancel: false });
    expect((await row(early.id)).cancelledBy).toBe('patient');

    const late = await request(ann);
    const soon = new Date(Date.now() + 2 * 3_600_000);
    soon.setUTCSeconds(0, 0);
    expect((await team.desk.apply('scheduleAppointment', { appointmentId: late.id, physicianId: team.doctor.id, start: soon.toISOString(), durationMinutes: 15, baseVersion: 1 })).status).toBe('applied');
    const list = await ann.get<AppointmentsView>('/api/appointments');
    expect(list.body.upcoming.find((a) => a.id === late.id)?.canCancel).toBe(false);
    const refused = await ann.post<ApiErrorResponse>(`/api/appointments/${late.id}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/too late to cancel online.*24 hours.*call/);
    expect((await row(late.id)).status).toBe('scheduled');
  });

  it('a console building on an old version is refused with what to do; its own earlier changes are no conflict', async () => {
    const appt = await request(bob);
    await bob.post(`/api/appointments/${appt.id}/cancel`);
    const stale = await team.desk.apply('scheduleAppointment', { appointmentId: appt.id, physicianId: team.doctor.id, start: futureSlot(24, 15), durationMinutes: 15, baseVersion: 1 });
    expect(stale.status).toBe('rejected');
    expect(stale.error?.code).toBe('conflict');
    expect(stale.error?.message).toMatch(/changed this appointment meanwhile.*Open it again/);
    expect((await row(appt.id)).status).toBe('cancelled');

    const mine = await request(bob);
    expect((await team.desk.apply('proposeAppointment', { appointmentId: mine.id, physicianId: team.doctor.id, start: futureSlot(25, 15), durationMinutes: 15, note: '', baseVersion: 1 })).status).toBe('applied');
    expect((await team.desk.apply('scheduleAppointment', { appointmentId: mine.id, physicianId: team.doctor.id, start: futureSlot(25, 16), durationMinutes: 15, baseVersion: 1 })).status).toBe('applied');
    // Another console with the same old version is refused.
    const other = await team.add('desk2', 'Second Desk', 'receptionist');
    expect((await other.apply('cancelAppointment', { appointmentId: mine.id, reason: 'Clinic closed', baseVersion: 1 })).error?.code).toBe('conflict');
  });

  it('the desk books a visit directly and completes it once it has started; not before', async () => {
    const id = randomUUID();
    expect((await team.admin.apply('createAppointment', { appointmentId: id, patientId: bob.patientId, physicianId: team.doctor.id, start: futureSlot(26, 15), durationMinutes: 45, reason: 'Annual physical' })).status).toBe('applied');
    expect((await row(id)).status).toBe('scheduled');
    const early = await team.desk.apply('completeAppointment', { appointmentId: id, baseVersion: 1 });
    expect(early.error?.message).toMatch(/not started yet/);
    await db().write((m) => m.update(AppointmentEntity, { id }, { startAt: new Date(Date.now() - 3_600_000).toISOString() }));
    expect((await team.doctor.apply('completeAppointment', { appointmentId: id, baseVersion: 1 })).status).toBe('applied');
    const list = await bob.get<AppointmentsView>('/api/appointments');
    expect(list.body.past.find((a) => a.id === id)?.status).toBe('completed');
  });
});

describe('double booking', () => {
  it('two desks booking one physician slot at the same moment: exactly one wins, the other is told why', async () => {
    const [a, b] = await Promise.all([request(ann, 'Race A'), request(bob, 'Race B')]);
    const other = await team.add('desk3', 'Third Desk', 'receptionist');
    const start = futureSlot(30, 14);
    const outcomes = await Promise.all([
      team.desk.apply('scheduleAppointment', { appointmentId: a.id, physicianId: team.doctor.id, start, durationMinutes: 30, baseVersion: 1 }),
      other.apply('scheduleAppointment', { appointmentId: b.id, physicianId: team.doctor.id, start, durationMinutes: 30, baseVersion: 1 }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['applied', 'rejected']);
    const loser = outcomes.find((o) => o.status === 'rejected');
    expect(loser?.error?.code).toBe('conflict');
    expect(loser?.error?.message).toMatch(/^Dr\. Sam Patel already has an appointment at that time .*Choose another time/);
    const statuses = [(await row(a.id)).status, (await row(b.id)).status].sort();
    expect(statuses).toEqual(['requested', 'scheduled']);
  });

  it('refuses an overlap, allows back-to-back, and refuses a proposal accepted after its slot was taken', async () => {
    const start = futureSlot(31, 14);
    const booked = randomUUID();
    expect((await team.desk.apply('createAppointment', { appointmentId: booked, patientId: ann.patientId, physicianId: team.doctor.id, start, durationMinutes: 30, reason: 'Check-up' })).status).toBe('applied');
    const overlapping = new Date(Date.parse(start) + 15 * 60_000).toISOString();
    const after = new Date(Date.parse(start) + 30 * 60_000).toISOString();
    expect((await team.desk.apply('createAppointment', { appointmentId: randomUUID(), patientId: bob.patientId, physicianId: team.doctor.id, start: overlapping, durationMinutes: 30, reason: 'x' })).error?.code).toBe('conflict');
    expect((await team.desk.apply('createAppointment', { appointmentId: randomUUID(), patientId: bob.patientId, physicianId: team.doctor.id, start: after, durationMinutes: 30, reason: 'x' })).status).toBe('applied');

    const proposal = await request(bob);
    const slot = futureSlot(32, 14);
    await team.desk.apply('proposeAppointment', { appointmentId: proposal.id, physicianId: team.doctor.id, start: slot, durationMinutes: 30, note: '', baseVersion: 1 });
    await team.desk.apply('createAppointment', { appointmentId: randomUUID(), patientId: ann.patientId, physicianId: team.doctor.id, start: slot, durationMinutes: 30, reason: 'Booked by phone' });
    const refused = await bob.post<ApiErrorResponse>(`/api/appointments/${proposal.id}/accept`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/just been booked/);
    expect((await row(proposal.id)).status).toBe('proposed');
  });

  it('refuses a slot in the past and a physician who is not one', async () => {
    const appt = await request(ann);
    const past = await team.desk.apply('scheduleAppointment', { appointmentId: appt.id, physicianId: team.doctor.id, start: new Date(Date.now() - 60_000).toISOString(), durationMinutes: 15, baseVersion: 1 });
    expect(past.error?.code).toBe('validation_failed');
    const notDoctor = await team.desk.apply('scheduleAppointment', { appointmentId: appt.id, physicianId: team.desk.id, start: futureSlot(33), durationMinutes: 15, baseVersion: 1 });
    expect(notDoctor.error?.code).toBe('validation_failed');
    const badLength = await team.desk.apply('scheduleAppointment', { appointmentId: appt.id, physicianId: team.doctor.id, start: futureSlot(33), durationMinutes: 17, baseVersion: 1 });
    expect(badLength.error?.code).toBe('validation_failed');
    expect((await row(appt.id)).version).toBe(1);
  });
});

describe('patients only ever reach their own appointments', () => {
  it('another patient cannot see, cancel, accept or decline them by changing the id', async () => {
    const appt = await request(ann, 'Private reason');
    await team.desk.apply('proposeAppointment', { appointmentId: appt.id, physicianId: team.doctor.id, start: futureSlot(40), durationMinutes: 15, note: '', baseVersion: 1 });
    for (const action of ['cancel', 'accept', 'decline']) {
      const res = await bob.post<ApiErrorResponse>(`/api/appointments/${appt.id}/${action}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect(await row(appt.id)).toMatchObject({ status: 'proposed', version: 2 });
    const bobs = await bob.get<AppointmentsView>('/api/appointments');
    expect(JSON.stringify(bobs.body)).not.toContain('Private reason');
    expect((await bob.post<ApiErrorResponse>('/api/appointments/not-an-id/cancel')).status).toBe(404);
  });
});
