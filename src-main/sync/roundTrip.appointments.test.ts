/** Appointments through the real architecture: patient portal → server → console replica → server → portal. */
import { describe, expect, it } from 'vitest';
import type { AppointmentView } from '../../shared/domain/appointment';
import type { AppointmentsView } from '../../shared/api/patient';
import type { PatientClient } from '../../test/fixtures/patients';
import { futureSlot, registerPatient } from '../../test/fixtures/patients';
import { useClinicConsoles } from '../../test/fixtures/clinicConsoles';
import type { TestCore } from '../testSupport';

const clinic = useClinicConsoles([['desk2', 'Dee Second', 'receptionist']]);
const openConsole = (username: string): Promise<TestCore> => clinic.openConsole(username);

async function requestVisit(patient: PatientClient, reason: string): Promise<AppointmentView> {
  const res = await patient.post<AppointmentView>('/api/appointments', { reason, preferredPhysicianId: null, preferredTimes: 'Any weekday morning' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const slotWith = (start: string) => ({ physicianId: clinic.team.doctor.id, start, durationMinutes: 30 });

describe('a patient’s appointment request handled at the desk', () => {
  it('reaches the queue by sync, is scheduled at the desk, and the patient sees it scheduled', async () => {
    const patient = await registerPatient(clinic.portal, clinic.team.desk.console, { givenName: 'Ana', familyName: 'Silva' });
    const request = await requestVisit(patient, 'Persistent cough');
    const desk = await openConsole('desk1');
    const [queued] = (await desk.services.appointments.queue()).filter((i) => i.row.id === request.id);
    expect(queued).toMatchObject({ patientName: 'Ana Silva', row: { status: 'requested', reason: 'Persistent cough', preferredTimes: 'Any weekday morning' } });
    expect((await desk.services.overview.counts()).appointmentRequests).toBeGreaterThanOrEqual(1);

    const start = futureSlot(3, 14);
    const booked = await desk.services.appointments.book({ ...slotWith(start), appointmentId: request.id });
    expect(booked).toMatchObject({ row: { status: 'scheduled' }, pendingChanges: 1, physicianName: 'Dr. Sam Patel' });
    const status = await desk.engine.syncNow();
    expect(status).toMatchObject({ pending: 0, rejected: [], lastError: null });
    const [after] = await desk.services.appointments.forPatient(patient.patientId);
    expect(after).toMatchObject({ row: { id: request.id, status: 'scheduled', start, version: 2 }, pendingChanges: 0 });

    const seen = await patient.get<AppointmentsView>('/api/appointments');
    expect(seen.body.upcoming).toEqual([expect.objectContaining({ id: request.id, status: 'scheduled', start, physicianName: 'Dr. Sam Patel' })]);
  });

  it('a desk booking made offline is sent when the server is back and reaches the patient', async () => {
    const patient = await registerPatient(clinic.portal, clinic.team.desk.console, { givenName: 'Olga', familyName: 'Offline' });
    const desk = await openConsole('desk1');
    await desk.engine.stop();
    const start = futureSlot(4, 15);
    const made = await desk.services.appointments.create({ ...slotWith(start), patientId: patient.patientId, reason: 'Blood pressure check' });
    expect(made).toMatchObject({ row: { status: 'scheduled', version: 0 }, pendingChanges: 1 });
    expect((await desk.engine.status()).pending).toBe(1);
    desk.engine.start();
    expect(await desk.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });
    expect((await desk.services.appointments.forPatient(patient.patientId))[0]).toMatchObject({ row: { id: made.row.id, version: 1 }, pendingChanges: 0 });
    const seen = await patient.get<AppointmentsView>('/api/appointments');
    expect(seen.body.upcoming.map((a) => a.id)).toEqual([made.row.id]);
  });

  it('two desks booking the same slot: the second is refused, rolled back and shown with the server’s reason', async () => {
    const first = await registerPatient(clinic.portal, clinic.team.desk.console, { givenName: 'Maria', familyName: 'Lopez' });
    const second = await registerPatient(clinic.portal, clinic.team.desk.console, { givenName: 'James', familyName: 'Walker' });
    const [r1, r2] = [await requestVisit(first, 'Rash'), await requestVisit(second, 'Back pain')];
    const deskA = await openConsole('desk1');
    const deskB = await openConsole('desk2');
    // Desk B works on what it pulled before desk A's booking reached the server.
    await deskB.engine.stop();
    const start = futureSlot(5, 16);
    await deskA.services.appointments.book({ ...slotWith(start), appointmentId: r1.id });
    expect(await deskA.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });
    const offline = await deskB.services.appointments.book({ ...slotWith(start), appointmentId: r2.id });
    expect(offline.row.status).toBe('scheduled');

    deskB.engine.start();
    const status = await deskB.engine.syncNow();
    expect(status.pending).toBe(0);
    expect(status.rejected).toEqual([
      expect.objectContaining({
        description: expect.stringMatching(/^Schedule James Walker with Dr\. Sam Patel on [A-Z][a-z]{2} \d{1,2}, \d{1,2}:\d{2} [AP]M$/),
        reason: expect.stringContaining('Dr. Sam Patel already has an appointment at that time'),
      }),
    ]);
    const rolledBack = (await deskB.services.appointments.forPatient(second.patientId))[0];
    expect(rolledBack).toMatchObject({ row: { id: r2.id, status: 'requested', start: null }, pendingChanges: 0 });
    // Desk B now knows desk A's booking, so its own check refuses the slot before anything is sent.
    const again = await deskB.services.appointments.book({ ...slotWith(start), appointmentId: r2.id }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'conflict' });
    const seen = await second.get<AppointmentsView>('/api/appointments');
    expect(seen.body.open).toEqual([expect.objectContaining({ id: r2.id, status: 'requested' })]);
  });

  it('a decline reaches the patient with its reason', async () => {
    const patient = await registerPatient(clinic.portal, clinic.team.desk.console, { givenName: 'Dora', familyName: 'Decline' });
    const request = await requestVisit(patient, 'Second opinion');
    const desk = await openConsole('desk1');
    await desk.services.appointments.decline(request.id, 'Please ask your specialist for a referral.');
    expect(await desk.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });
    const seen = await patient.get<AppointmentsView>('/api/appointments');
    const all = [...seen.body.open, ...seen.body.past, ...seen.body.upcoming];
    expect(all).toEqual([expect.objectContaining({ id: request.id, status: 'declined', staffNote: 'Please ask your specialist for a referral.' })]);
  });
});
