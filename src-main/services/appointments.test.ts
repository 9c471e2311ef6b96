import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainError } from '../../shared/api/errors';
import { ReplicaRowEntity } from '../replica/entities';
import { OTHER_PHYSICIAN_ID, PATIENT_ID, appointmentRow, argsOf, outboxRows, pullInto, refuse, seedClinic, upserts } from '../testRows';
import { TEST_PHYSICIAN, signInOffline, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

let core: TestCore;
beforeEach(async () => {
  core = await startTestCore({ now: () => NOW });
  await signInOffline(core);
  await seedClinic(core);
});
afterEach(async () => {
  await core.dispose();
});

const NOW = new Date('2026-11-25T16:00:00.000Z');
const DEC1_0930 = '2026-12-01T15:30:00.000Z'; // 9:30 AM in Chicago
const slot = (over: Partial<{ physicianId: string; start: string; durationMinutes: number }> = {}) => ({ physicianId: TEST_PHYSICIAN.id, start: DEC1_0930, durationMinutes: 30, ...over });
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as DomainError);
const appointments = () => core.db.read((m) => m.findBy(ReplicaRowEntity, { tableName: 'appointment' }));

describe('the appointment request queue', () => {
  it('lists requests and proposals oldest first, with the patient and physician names', async () => {
    const newer = appointmentRow({ requestedAt: '2026-11-21T10:00:00.000Z' });
    const older = appointmentRow({ requestedAt: '2026-11-19T10:00:00.000Z', status: 'proposed', physicianId: TEST_PHYSICIAN.id, start: DEC1_0930, end: '2026-12-01T16:00:00.000Z' });
    const booked = appointmentRow({ status: 'scheduled', physicianId: TEST_PHYSICIAN.id, start: DEC1_0930, end: '2026-12-01T16:00:00.000Z' });
    await pullInto(core, upserts('appointment', [newer, older, booked]));
    const queue = await core.services.appointments.queue();
    expect(queue.map((i) => i.row.id)).toEqual([older.id, newer.id]);
    expect(queue[0]).toMatchObject({ patientName: 'Maria Lopez', patientDateOfBirth: '1986-04-12', physicianName: 'Dr. Sam Patel', pendingChanges: 0 });
    expect(await core.services.overview.counts()).toEqual({ appointmentRequests: 1, renewalRequests: 0, unreadThreads: 0, invitationsNeedingAttention: 0 });
  });
});

describe('booking offline', () => {
  it('books a visit at the desk: shown as scheduled at once, one createAppointment waiting to send', async () => {
    const item = await core.services.appointments.create({ ...slot(), patientId: PATIENT_ID, reason: 'Follow-up' });
    expect(item).toMatchObject({ row: { status: 'scheduled', physicianId: TEST_PHYSICIAN.id, start: DEC1_0930, end: '2026-12-01T16:00:00.000Z', version: 0 }, pendingChanges: 1, physicianName: 'Dr. Sam Patel' });
    const [entry] = await outboxRows(core);
    expect(argsOf(entry, 'createAppointment')).toEqual({ appointmentId: item.row.id, patientId: PATIENT_ID, physicianId: TEST_PHYSICIAN.id, start: DEC1_0930, durationMinutes: 30, reason: 'Follow-up' });
    expect(entry?.description).toBe('Book Maria Lopez with Dr. Sam Patel on Dec 1, 9:30 AM');
    expect((await core.engine.status()).pending).toBe(1);
  });

  it('schedules a request on the version it saw; moving it again before it is sent stays one change', async () => {
    const request = appointmentRow({ version: 3 });
    await pullInto(core, upserts('appointment', [request]));
    const booked = await core.services.appointments.book({ ...slot(), appointmentId: request.id });
    expect(booked).toMatchObject({ row: { status: 'scheduled', start: DEC1_0930 }, pendingChanges: 1 });
    const moved = await core.services.appointments.book({ ...slot({ start: '2026-12-01T17:00:00.000Z', physicianId: OTHER_PHYSICIAN_ID }), appointmentId: request.id });
    expect(moved.row).toMatchObject({ start: '2026-12-01T17:00:00.000Z', physicianId: OTHER_PHYSICIAN_ID });
    const entries = await outboxRows(core);
    expect(entries).toHaveLength(1);
    expect(argsOf(entries[0], 'scheduleAppointment')).toMatchObject({ appointmentId: request.id, physicianId: OTHER_PHYSICIAN_ID, start: '2026-12-01T17:00:00.000Z', baseVersion: 3 });
    expect(entries[0]?.description).toBe('Schedule Maria Lopez with Dr. Lee Kim on Dec 1, 11:00 AM');
    // A different kind of change follows the waiting one, built on the version it will make.
    await core.services.appointments.cancel(request.id, 'The doctor is away that day.');
    const cancel = (await outboxRows(core))[1];
    // The server does not count this console's own earlier change as a conflict: still built on version 3.
    expect(argsOf(cancel, 'cancelAppointment')).toEqual({ appointmentId: request.id, reason: 'The doctor is away that day.', baseVersion: 3 });
  });

  it('folds a move of a desk-made visit into its waiting createAppointment', async () => {
    const item = await core.services.appointments.create({ ...slot(), patientId: PATIENT_ID, reason: 'Follow-up' });
    await core.services.appointments.book({ ...slot({ durationMinutes: 60 }), appointmentId: item.row.id });
    const entries = await outboxRows(core);
    expect(entries).toHaveLength(1);
    expect(argsOf(entries[0], 'createAppointment')).toMatchObject({ durationMinutes: 60, reason: 'Follow-up' });
  });

  it('proposes, declines and completes with the reasons the patient will see', async () => {
    const [a, b, c] = [appointmentRow(), appointmentRow(), appointmentRow({ status: 'scheduled', physicianId: TEST_PHYSICIAN.id, start: '2026-11-25T15:00:00.000Z', end: '2026-11-25T15:30:00.000Z' })];
    await pullInto(core, upserts('appointment', [a, b, c]));
    const proposed = await core.services.appointments.propose({ ...slot({ start: '2026-12-01T17:00:00.000Z' }), appointmentId: a.id, note: 'Is 11:00 all right?' });
    expect(proposed.row).toMatchObject({ status: 'proposed', staffNote: 'Is 11:00 all right?' });
    const declined = await core.services.appointments.decline(b.id, 'Please see your specialist for this.');
    expect(declined.row).toMatchObject({ status: 'declined', staffNote: 'Please see your specialist for this.' });
    expect((await core.services.appointments.complete(c.id)).row.status).toBe('completed');
    const entries = await outboxRows(core);
    expect(entries.map((e) => e.name)).toEqual(['proposeAppointment', 'declineAppointment', 'completeAppointment']);
    expect(entries.map((e) => e.description)).toEqual([
      'Propose Dec 1, 11:00 AM with Dr. Sam Patel to Maria Lopez',
      "Decline Maria Lopez's appointment request",
      "Mark Maria Lopez's appointment on Nov 25 completed",
    ]);
    expect(await core.services.overview.counts()).toMatchObject({ appointmentRequests: 0 });
  });
});

describe('refusals on this computer write nothing', () => {
  it('refuses a slot the physician already has, naming the physician', async () => {
    const taken = appointmentRow({ status: 'scheduled', physicianId: TEST_PHYSICIAN.id, start: '2026-12-01T15:15:00.000Z', end: '2026-12-01T15:45:00.000Z' });
    const request = appointmentRow();
    await pullInto(core, upserts('appointment', [taken, request]));
    const before = await appointments();
    const err = await failure(core.services.appointments.book({ ...slot(), appointmentId: request.id }));
    expect(err).toMatchObject({ code: 'conflict', message: 'Dr. Sam Patel already has an appointment at that time. Choose another time.' });
    expect(err?.fields?.start).toBeDefined();
    expect(await outboxRows(core)).toEqual([]);
    expect(await appointments()).toEqual(before);
    // Back to back is fine, and so is another physician at the same time.
    await core.services.appointments.book({ ...slot({ start: '2026-12-01T15:45:00.000Z' }), appointmentId: request.id });
    await core.services.appointments.create({ ...slot({ physicianId: OTHER_PHYSICIAN_ID }), patientId: PATIENT_ID, reason: 'Check-up' });
    expect(await outboxRows(core)).toHaveLength(2);
  });

  it('refuses invalid slots and reasons with field messages', async () => {
    const request = appointmentRow();
    await pullInto(core, upserts('appointment', [request]));
    const bad = await failure(core.services.appointments.create({ physicianId: 'nobody', start: 'soon', durationMinutes: 17, patientId: PATIENT_ID, reason: ' ' }));
    expect(bad?.code).toBe('validation_failed');
    expect(Object.keys(bad?.fields ?? {}).sort()).toEqual(['durationMinutes', 'physicianId', 'reason', 'start']);
    const notPhysician = await failure(core.services.appointments.book({ ...slot({ physicianId: '11111111-1111-4111-8111-111111111111' }), appointmentId: request.id }));
    expect(notPhysician?.fields).toEqual({ physicianId: 'Choose a physician from the list.' });
    const noReason = await failure(core.services.appointments.decline(request.id, ''));
    expect(noReason?.fields).toEqual({ reason: 'Enter a reason the patient will see.' });
    const wrongState = await failure(core.services.appointments.complete(request.id));
    expect(wrongState).toMatchObject({ code: 'conflict', message: 'This appointment is requested, so it cannot be completed now. Reload the list.' });
    const past = await failure(core.services.appointments.book({ ...slot({ start: '2026-11-25T15:00:00.000Z' }), appointmentId: request.id }));
    expect(past?.fields).toEqual({ start: 'Choose a start time in the future.' });
    expect(await outboxRows(core)).toEqual([]);
    expect((await appointments()).map((r) => r.serverCopy)).toEqual([null]);
  });
});

describe('the schedule', () => {
  it('shows booked and completed visits in the range by start, for one physician or all', async () => {
    const at = (start: string, physicianId = TEST_PHYSICIAN.id, status: 'scheduled' | 'completed' | 'cancelled' = 'scheduled') =>
      appointmentRow({ status, physicianId, start, end: new Date(Date.parse(start) + 1800_000).toISOString() });
    const late = at('2026-12-01T20:00:00.000Z');
    const early = at('2026-12-01T14:00:00.000Z', TEST_PHYSICIAN.id, 'completed');
    const kim = at('2026-12-01T16:00:00.000Z', OTHER_PHYSICIAN_ID);
    const nextDay = at('2026-12-02T15:00:00.000Z');
    const cancelled = at('2026-12-01T18:00:00.000Z', TEST_PHYSICIAN.id, 'cancelled');
    await pullInto(core, upserts('appointment', [late, early, kim, nextDay, cancelled, appointmentRow()]));
    const day = { from: '2026-12-01T06:00:00.000Z', to: '2026-12-02T06:00:00.000Z' };
    expect((await core.services.appointments.schedule({ ...day, physicianId: null })).map((i) => i.row.id)).toEqual([early.id, kim.id, late.id]);
    expect((await core.services.appointments.schedule({ ...day, physicianId: TEST_PHYSICIAN.id })).map((i) => i.row.id)).toEqual([early.id, late.id]);
    expect((await core.services.appointments.forPatient(PATIENT_ID)).length).toBe(6);
  });
});

describe('a change the server refuses', () => {
  it('rolls a refused booking back to the request and lists it with the reason', async () => {
    const request = appointmentRow();
    await pullInto(core, upserts('appointment', [request]));
    await core.services.appointments.book({ ...slot(), appointmentId: request.id });
    await refuse(core, 1, 'Dr. Sam Patel already has an appointment at that time.');
    const [after] = await core.services.appointments.queue();
    expect(after).toMatchObject({ row: { id: request.id, status: 'requested', start: null }, pendingChanges: 0 });
    expect((await core.engine.status()).rejected).toEqual([
      expect.objectContaining({ description: 'Schedule Maria Lopez with Dr. Sam Patel on Dec 1, 9:30 AM', reason: 'Dr. Sam Patel already has an appointment at that time.' }),
    ]);
  });

  it('removes a refused desk booking the server never had', async () => {
    await core.services.appointments.create({ ...slot(), patientId: PATIENT_ID, reason: 'Follow-up' });
    await refuse(core, 1, 'That slot is taken.');
    expect(await appointments()).toEqual([]);
  });
});
