import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReplicaRowEntity } from '../replica/entities';
import { PATIENT_ID, appointmentRow, entryRow, messageRow, outboxRows, pullInto, renewalRow, seedClinic, threadRow, upserts } from '../testRows';
import { TEST_PHYSICIAN, TEST_STAFF, signInOffline, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

let core: TestCore;
const medication = entryRow('medication');
const requested = appointmentRow();
const booked = appointmentRow({ status: 'scheduled', physicianId: TEST_PHYSICIAN.id, start: '2026-11-25T15:00:00.000Z', end: '2026-11-25T15:30:00.000Z' });
const renewal = renewalRow(medication.id);
const thread = threadRow();
const slot = { physicianId: TEST_PHYSICIAN.id, start: '2026-12-01T15:30:00.000Z', durationMinutes: 30 };

beforeEach(async () => {
  core = await startTestCore({ now: () => new Date('2026-11-25T16:00:00.000Z') });
  await signInOffline(core, undefined, TEST_PHYSICIAN);
  await seedClinic(core);
  await pullInto(core, [
    ...upserts('appointment', [requested, booked]),
    ...upserts('medication', [medication]),
    ...upserts('renewal', [renewal]),
    ...upserts('thread', [thread]),
    ...upserts('message', [messageRow(thread.id)]),
  ]);
});
afterEach(async () => {
  await core.dispose();
});

/** Every local change: if its outbox entry cannot be written, its rows are not changed either. */
const actions: [string, () => Promise<unknown>][] = [
  ['appointments.create', () => core.services.appointments.create({ ...slot, patientId: PATIENT_ID, reason: 'Check-up' })],
  ['appointments.book', () => core.services.appointments.book({ ...slot, appointmentId: requested.id })],
  ['appointments.propose', () => core.services.appointments.propose({ ...slot, appointmentId: requested.id, note: '' })],
  ['appointments.decline', () => core.services.appointments.decline(requested.id, 'Not needed.')],
  ['appointments.cancel', () => core.services.appointments.cancel(booked.id, 'The doctor is away.')],
  ['appointments.complete', () => core.services.appointments.complete(booked.id)],
  ['renewals.decide', () => core.services.renewals.decide({ renewalId: renewal.id, decision: 'approved', note: '', refillsGranted: 1 })],
  ['messages.start', () => core.services.messages.start({ patientId: PATIENT_ID, subject: 'Hello', body: 'Hi' })],
  ['messages.reply', () => core.services.messages.reply(thread.id, 'Hi')],
  ['messages.assign', () => core.services.messages.assign(thread.id, TEST_STAFF.id)],
  ['messages.setStatus', () => core.services.messages.setStatus(thread.id, 'closed')],
  ['messages.markRead', () => core.services.messages.markRead(thread.id)],
  ['record.save', () => core.services.record.save({ kind: 'medication', patientId: PATIENT_ID, entryId: medication.id, fields: { ...medication, dose: '20 mg' } })],
  ['record.delete', () => core.services.record.remove({ kind: 'medication', entryId: medication.id })],
];

describe('a local change and its outbox entry commit together', () => {
  // The outbox is one module for the whole process: a spy must not outlive its test.
  afterEach(() => vi.restoreAllMocks());
  it.each(actions)('%s writes nothing when its outbox entry fails', async (_name, act) => {
    const before = await core.db.read((m) => m.find(ReplicaRowEntity, { order: { tableName: 'ASC', id: 'ASC' } }));
    const append = vi.spyOn(core.outbox, 'append').mockRejectedValueOnce(new Error('disk full'));
    await expect(act()).rejects.toThrow('disk full');
    expect(append).toHaveBeenCalledTimes(1);
    expect(await core.db.read((m) => m.find(ReplicaRowEntity, { order: { tableName: 'ASC', id: 'ASC' } }))).toEqual(before);
    expect(await outboxRows(core)).toEqual([]);
    // And with a working outbox the same change goes through: row and entry together.
    await act();
    expect(await outboxRows(core)).toHaveLength(1);
  });
});
