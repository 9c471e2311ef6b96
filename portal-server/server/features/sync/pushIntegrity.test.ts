import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import { AppointmentEntity } from '../../../../shared/node/entities/clinical';
import { AuditEventEntity, ChangeLogEntity, ClientMutationEntity, MailOutboxEntity, MutationIntentEntity, MutationRejectionEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { MutationArgs } from '../../../../shared/sync/protocol';
import { failInserts } from '../../../../test/fixtures/insertFault';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, TestConsole, addStaff, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';

/** "Nothing lost in sync": a reused seq is told apart from a retry, and one broken change blocks no other. */
let portal: TestPortal;
let deskToken: string;
let physicianId: string;
const logLines: string[] = [];

beforeAll(async () => {
  portal = await startTestPortal({ log: (line) => logLines.push(line) });
  const adminToken = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  deskToken = await addStaff(portal.url, adminToken, 'desk3', 'receptionist');
  await addStaff(portal.url, adminToken, 'drlee', 'physician', 'Doctor-Fennel-Quay-38');
  physicianId = (await signInStaff(portal.url, 'drlee', 'Doctor-Fennel-Quay-38')).staff.id;
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
const patientsNamed = (familyName: string) => db().read((m) => m.countBy(PatientEntity, { familyName }));
const lastSeqOf = async (clientId: string) => (await db().read((m) => m.findOneBy(ClientMutationEntity, { clientId })))?.lastSeq ?? 0;
/** Every table a push writes, counted: a refused or reused change must leave all of them as they were. */
const footprint = () =>
  db().read(async (m) => [
    await m.count(PatientEntity),
    await m.count(AppointmentEntity),
    await m.count(ChangeLogEntity),
    await m.count(AuditEventEntity),
    await m.count(MailOutboxEntity),
    await m.count(MutationRejectionEntity),
  ]);
const patient = (familyName: string, over: Partial<MutationArgs['preRegisterPatient']> = {}): MutationArgs['preRegisterPatient'] => ({
  patientId: randomUUID(),
  givenName: 'Pat',
  familyName,
  dateOfBirth: '1981-03-03',
  email: `${familyName.toLowerCase()}@example.com`,
  phone: '',
  invitationId: null,
  ...over,
});

describe('a retried seq is a duplicate only when it carries the same intent', () => {
  it('another intent under an applied seq answers seq_reused, applies nothing, keeps lastSeq and stops the batch; the same intent is a duplicate', async () => {
    const desk = new TestConsole(portal.url, deskToken);
    const first = desk.mutation('preRegisterPatient', patient('Original'));
    expect((await desk.push([first])).body.outcomes).toEqual([{ seq: 1, status: 'applied' }]);

    // A console restored from an old copy made another change under seq 1, and a seq 2 after it.
    const reused = { ...first, args: patient('Restored') };
    const after = { ...desk.mutation('preRegisterPatient', patient('AfterReused')), seq: 2 };
    const before = await footprint();
    const res = await desk.push([reused, after]);
    expect(res.status).toBe(200);
    expect(res.body.lastSeq).toBe(1);
    expect(res.body.outcomes).toHaveLength(1);
    expect(res.body.outcomes[0]).toMatchObject({ seq: 1, status: 'seq_reused', error: { code: 'conflict' } });
    expect(res.body.outcomes[0]?.error?.message).toMatch(/Nothing was applied/);
    expect(await footprint()).toEqual(before);
    expect(await patientsNamed('Restored')).toBe(0);
    expect(await patientsNamed('AfterReused')).toBe(0);
    expect(await lastSeqOf(desk.clientId)).toBe(1);

    // The very same intent again is a retry whose answer was lost.
    expect((await desk.push([first])).body.outcomes).toEqual([{ seq: 1, status: 'duplicate' }]);
    // Key order in the JSON is no part of the intent.
    const reordered = { ...first, args: Object.fromEntries(Object.entries(first.args).reverse()) as typeof first.args };
    expect((await desk.push([reordered])).body.outcomes).toEqual([{ seq: 1, status: 'duplicate' }]);
    // The next seq still goes through.
    expect((await desk.push([after])).body).toEqual({ lastSeq: 2, outcomes: [{ seq: 2, status: 'applied' }], serverTime: expect.any(String) });
    expect(await patientsNamed('AfterReused')).toBe(1);
  });

  it('another intent under a refused seq answers seq_reused; the same one gets the recorded refusal', async () => {
    const desk = new TestConsole(portal.url, deskToken);
    const bad = desk.mutation('preRegisterPatient', patient('Refused', { email: 'not-an-email' }));
    expect((await desk.push([bad])).body.outcomes[0]?.status).toBe('rejected');
    const before = await footprint();
    const other = await desk.push([{ ...bad, args: patient('RefusedOther') }]);
    expect(other.body.outcomes[0]).toMatchObject({ seq: 1, status: 'seq_reused', error: { code: 'conflict' } });
    expect(await footprint()).toEqual(before);
    const again = await desk.push([bad]);
    expect(again.body.outcomes[0]).toMatchObject({ seq: 1, status: 'rejected', error: { code: 'validation_failed' } });
  });

  it('a seq recorded before intents were kept (no hash) stays a duplicate', async () => {
    const desk = new TestConsole(portal.url, deskToken);
    const first = desk.mutation('preRegisterPatient', patient('Legacy'));
    await desk.push([first]);
    await db().write((m) => m.delete(MutationIntentEntity, { clientId: desk.clientId }));
    expect((await desk.push([{ ...first, args: patient('LegacyOther') }])).body.outcomes).toEqual([{ seq: 1, status: 'duplicate' }]);
    expect(await patientsNamed('LegacyOther')).toBe(0);
  });
});

describe('seqs the database cannot hold', () => {
  it('refuses a seq or prevSeq above 2^31-1 as a malformed push and writes nothing', async () => {
    const desk = new TestConsole(portal.url, deskToken);
    const before = await footprint();
    const huge = { ...desk.mutation('preRegisterPatient', patient('Huge')), seq: Number.MAX_SAFE_INTEGER, prevSeq: 0 };
    const res = await desk.push([huge]);
    expect(res.status).toBe(400);
    expect((res.body as unknown as ApiErrorResponse).error.code).toBe('validation_failed');
    const hugePrev = { ...desk.mutation('preRegisterPatient', patient('HugePrev')), seq: 2 ** 31 + 1, prevSeq: 2 ** 31 };
    expect((await desk.push([hugePrev])).status).toBe(400);
    expect(await footprint()).toEqual(before);
    expect(await lastSeqOf(desk.clientId)).toBe(0);
    // The console's real seq 1 is still the next one.
    expect((await desk.push([{ ...desk.mutation('preRegisterPatient', patient('Normal')), seq: 1 }])).body.outcomes).toEqual([{ seq: 1, status: 'applied' }]);
  });
});

describe('one change that fails unexpectedly blocks no other', () => {
  it('refuses it with a readable message, logs the error without its arguments, and applies the next one', async () => {
    // A real database failure on one row (as a full disk or a broken constraint would give): the
    // service raises no DomainError, the insert itself fails.
    const removeFault = await failInserts(db(), { name: 'test_patient_fault', table: 'patient', column: 'familyName', value: 'Faulty' });
    try {
      const desk = new TestConsole(portal.url, deskToken);
      const faulty = desk.mutation('preRegisterPatient', patient('Faulty', { email: 'faulty.secret@example.com' }));
      const good = desk.mutation('preRegisterPatient', patient('FineAfter'));
      const auditBefore = await db().read((m) => m.count(AuditEventEntity));
      logLines.length = 0;
      const res = await desk.push([faulty, good]);
      expect(res.status).toBe(200);
      expect(res.body.lastSeq).toBe(2);
      expect(res.body.outcomes[0]).toMatchObject({ seq: 1, status: 'rejected', error: { code: 'internal' } });
      expect(res.body.outcomes[0]?.error?.message).toMatch(/could not apply this change\. Nothing was changed/);
      expect(res.body.outcomes[1]).toEqual({ seq: 2, status: 'applied' });
      expect(await patientsNamed('Faulty')).toBe(0);
      expect(await patientsNamed('FineAfter')).toBe(1);
      // The faulty change's own audit row was rolled back with it: only the good one's remains.
      expect(await db().read((m) => m.count(AuditEventEntity))).toBe(auditBefore + 1);
      const rejection = await db().read((m) => m.findOneBy(MutationRejectionEntity, { clientId: desk.clientId, seq: 1 }));
      expect(rejection?.code).toBe('internal');
      // Logged for IT with its error, never with the patient's details.
      const logged = logLines.join('\n');
      expect(logged).toMatch(/QueryFailedError/);
      expect(logged).toMatch(/simulated storage fault/);
      expect(logged).not.toMatch(/faulty\.secret|Faulty/);
      // A retry gets the recorded refusal and applies nothing.
      const retry = await desk.push([faulty]);
      expect(retry.body.outcomes[0]).toMatchObject({ seq: 1, status: 'rejected', error: { code: 'internal' } });
    } finally {
      await removeFault();
    }
  });

  it('an appointment in year 275760 is a field validation refusal, and the change after it is applied', async () => {
    const desk = new TestConsole(portal.url, deskToken);
    const owner = desk.mutation('preRegisterPatient', patient('Booked'));
    const far = desk.mutation('createAppointment', {
      appointmentId: randomUUID(),
      patientId: owner.args.patientId,
      physicianId,
      start: '+275760-09-13T00:00:00.000Z',
      durationMinutes: 30,
      reason: 'Check-up',
    });
    const next = desk.mutation('preRegisterPatient', patient('AfterFar'));
    const res = await desk.push([owner, far, next]);
    expect(res.status).toBe(200);
    expect(res.body.lastSeq).toBe(3);
    expect(res.body.outcomes[1]).toMatchObject({ seq: 2, status: 'rejected', error: { code: 'validation_failed', fields: { start: expect.stringMatching(/start time/) } } });
    expect(res.body.outcomes[2]).toEqual({ seq: 3, status: 'applied' });
    expect(await db().read((m) => m.countBy(AppointmentEntity, { id: far.args.appointmentId }))).toBe(0);
  });
});
