/** Field-level conflicts (DESIGN §5) over real HTTP: two desks edit the same patient or record entry. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MedicationFields } from '../../../../shared/domain/record';
import { AppointmentEntity, RecordEntryEntity } from '../../../../shared/node/entities/clinical';
import { ChangeLogEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import type { MutationArgs, MutationName, MutationOutcome } from '../../../../shared/sync/protocol';
import type { ClinicTeam, PatientClient, StaffDesk } from '../../../../test/fixtures/patients';
import { clinicTeam, futureSlot, pulledRow, registerPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TestConsole, api, startTestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let team: ClinicTeam;
let desk2: StaffDesk;
let drKim: StaffDesk;

beforeAll(async () => {
  portal = await startTestPortal();
  team = await clinicTeam(portal);
  desk2 = await team.add('desk2', 'Dee Desk', 'receptionist');
  drKim = await team.add('drkim', 'Dr. Kim', 'physician');
});
afterAll(async () => {
  await portal.stop();
});

/** Pushes one mutation in the current (argsVersion 2) shape. */
async function applyV2<N extends MutationName>(desk: StaffDesk, name: N, args: MutationArgs[N]): Promise<MutationOutcome> {
  const res = await desk.console.push([{ ...desk.console.mutation(name, args), argsVersion: 2 }]);
  const outcome = res.body.outcomes[0];
  if (!outcome) {
    throw new Error(`no outcome: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return outcome;
}

const patientRow = (id: string) => portal.handle.context.db.read((m) => m.findOneByOrFail(PatientEntity, { id }));
/** Change-log entries of one patient's row (mail sent meanwhile logs its invitation's changes). */
const logCount = (patientId: string) => portal.handle.context.db.read((m) => m.countBy(ChangeLogEntity, { tableName: 'patient', rowId: patientId }));

async function newPatient(): Promise<string> {
  const { patientId, response } = await team.desk.console.preRegister({ email: `p.${randomUUID().slice(0, 8)}@example.com`, phone: '555-0100' });
  expect(response.outcomes[0]?.status).toBe('applied');
  return patientId;
}

describe('updatePatient, argsVersion 2', () => {
  it('two desks changing different fields of one version both apply: the edits merge', async () => {
    const id = await newPatient();
    expect(await applyV2(team.desk, 'updatePatient', { patientId: id, baseVersion: 1, changes: { phone: '555-0111' }, base: { phone: '555-0100' } })).toEqual({ seq: expect.any(Number), status: 'applied' });
    expect(await applyV2(desk2, 'updatePatient', { patientId: id, baseVersion: 1, changes: { familyName: 'Lopez-Diaz' }, base: { familyName: 'Lopez' } })).toMatchObject({ status: 'applied' });
    expect(await patientRow(id)).toMatchObject({ phone: '555-0111', familyName: 'Lopez-Diaz', givenName: 'Maria', version: 3 });
    // Every console pulls the merged row.
    expect(await pulledRow(portal.url, team.admin.console.token, 'patient', id)).toMatchObject({ phone: '555-0111', familyName: 'Lopez-Diaz', version: 3 });
  });

  it('the same field changed at two desks: the second is a conflict naming the field, and nothing of it is written', async () => {
    const id = await newPatient();
    await applyV2(team.desk, 'updatePatient', { patientId: id, baseVersion: 1, changes: { phone: '555-0111' }, base: { phone: '555-0100' } });
    const before = await patientRow(id);
    const logBefore = await logCount(id);
    const outcome = await applyV2(desk2, 'updatePatient', { patientId: id, baseVersion: 1, changes: { phone: '555-0222', email: 'new.address@example.com' }, base: { phone: '555-0100', email: before.email } });
    expect(outcome).toMatchObject({
      status: 'rejected',
      error: { code: 'conflict', message: 'The phone number was changed at another desk meanwhile: now “555-0111”. Nothing of this change was saved.' },
    });
    // Not even the email, which nobody else touched: the desk redoes the whole change knowingly.
    expect(await patientRow(id)).toEqual(before);
    expect(await logCount(id)).toBe(logBefore);
  });

  it('names every clashing field; the same new value at both desks is no conflict', async () => {
    const id = await newPatient();
    const start = await patientRow(id);
    await applyV2(team.desk, 'updatePatient', { patientId: id, baseVersion: 1, changes: { givenName: 'Mariah', email: 'mariah@example.com' }, base: { givenName: 'Maria', email: start.email } });
    const clash = await applyV2(desk2, 'updatePatient', { patientId: id, baseVersion: 1, changes: { givenName: 'Marie', email: 'marie@example.com' }, base: { givenName: 'Maria', email: start.email } });
    expect(clash.error?.message).toBe('The given name and the email address were changed at another desk meanwhile: now “Mariah” and “mariah@example.com”. Nothing of this change was saved.');
    expect(await applyV2(desk2, 'updatePatient', { patientId: id, baseVersion: 1, changes: { givenName: 'Mariah' }, base: { givenName: 'Maria' } })).toMatchObject({ status: 'applied' });
    expect(await patientRow(id)).toMatchObject({ givenName: 'Mariah', email: 'mariah@example.com', version: 3 });
  });

  it('a change that does not say what it was based on is refused and writes nothing', async () => {
    const id = await newPatient();
    const before = await patientRow(id);
    const outcome = await applyV2(team.desk, 'updatePatient', { patientId: id, baseVersion: 1, changes: { phone: '555-0199' }, base: {} });
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'validation_failed', fields: { base: 'Give the earlier value of every changed field.' } } });
    expect(await patientRow(id)).toEqual(before);
  });

  it('argsVersion 2 of a mutation that has no version 2 is refused, not guessed at', async () => {
    const id = await newPatient();
    const outcome = await applyV2(team.desk, 'sendInvitation', { patientId: id, invitationId: randomUUID() });
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'validation_failed' } });
  });
});

describe('updatePatient, argsVersion 1 (queued by a console before its upgrade)', () => {
  it('a console still on sync protocol 2 is told to update, and its push writes nothing', async () => {
    const id = await newPatient();
    const before = await patientRow(id);
    const old = new TestConsole(portal.url, team.desk.console.token);
    const mu = old.mutation('updatePatient', { patientId: id, baseVersion: 1, changes: { phone: '555-0155' } });
    const res = await api<ApiErrorResponse>(portal.url, '/api/sync/push', { token: old.token, headers: { 'x-sync-protocol': '2' }, body: { clientId: old.clientId, mutations: [mu] } });
    expect(res.status).toBe(426);
    expect(res.body.error.message).toBe('This console is older than the clinic server. Update the console to keep syncing; your unsent changes are kept.');
    expect(await patientRow(id)).toEqual(before);
  });


  it('still applies when built on the current version', async () => {
    const id = await newPatient();
    expect(await team.desk.apply('updatePatient', { patientId: id, baseVersion: 1, changes: { phone: '555-0133' } })).toMatchObject({ status: 'applied' });
    expect(await patientRow(id)).toMatchObject({ phone: '555-0133', version: 2 });
  });

  it('keeps its row-level check: any change since its base version refuses it, and nothing is written', async () => {
    const id = await newPatient();
    await applyV2(team.desk, 'updatePatient', { patientId: id, baseVersion: 1, changes: { phone: '555-0144' }, base: { phone: '555-0100' } });
    const before = await patientRow(id);
    const outcome = await desk2.apply('updatePatient', { patientId: id, baseVersion: 1, changes: { familyName: 'Other' } });
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'conflict' } });
    expect(await patientRow(id)).toEqual(before);
  });
});

describe('saveRecordEntry, argsVersion 2', () => {
  const MEDICATION: MedicationFields = { name: 'Zolpiquinex', dose: '10 mg', instructions: 'Once a day', prescriberName: 'Dr. Sam Patel', refillsLeft: 1, active: true };
  let ann: PatientClient;
  beforeAll(async () => {
    ann = await registerPatient(portal, team.desk.console, { givenName: 'Ann', familyName: 'Avery' });
  });
  const entry = (id: string) => portal.handle.context.db.read((m) => m.findOneByOrFail(RecordEntryEntity, { id }));

  async function addMedication(): Promise<string> {
    const entryId = randomUUID();
    expect(await applyV2(team.doctor, 'saveRecordEntry', { kind: 'medication', entryId, patientId: ann.patientId, fields: MEDICATION, baseVersion: 0 })).toMatchObject({ status: 'applied' });
    return entryId;
  }

  it('two physicians changing different fields merge; the same field is a conflict and writes nothing', async () => {
    const entryId = await addMedication();
    const base = { kind: 'medication' as const, entryId, patientId: ann.patientId, baseVersion: 1 };
    expect(await applyV2(team.doctor, 'saveRecordEntry', { ...base, fields: { dose: '20 mg' }, base: { dose: '10 mg' } })).toMatchObject({ status: 'applied' });
    expect(await applyV2(drKim, 'saveRecordEntry', { ...base, fields: { instructions: 'At night' }, base: { instructions: 'Once a day' } })).toMatchObject({ status: 'applied' });
    expect(JSON.parse((await entry(entryId)).fields)).toEqual({ ...MEDICATION, dose: '20 mg', instructions: 'At night' });
    const before = await entry(entryId);
    const clash = await applyV2(drKim, 'saveRecordEntry', { ...base, fields: { dose: '5 mg', active: false }, base: { dose: '10 mg', active: true } });
    expect(clash).toMatchObject({ status: 'rejected', error: { code: 'conflict', message: 'The dose was changed by another physician meanwhile: now “20 mg”. Nothing of this change was saved.' } });
    expect(await entry(entryId)).toEqual(before);
  });

  it('an approved renewal (refills) and a dose change made on the older entry merge', async () => {
    const entryId = await addMedication();
    const asked = await ann.post<{ id: string }>('/api/renewals', { medicationId: entryId, pharmacy: 'Main St Pharmacy', note: '' });
    expect(asked.status).toBe(201);
    expect(await team.doctor.apply('decideRenewal', { renewalId: asked.body.id, decision: 'approved', note: '', refillsGranted: 2, baseVersion: 1 })).toMatchObject({ status: 'applied' });
    expect(await applyV2(drKim, 'saveRecordEntry', { kind: 'medication', entryId, patientId: ann.patientId, baseVersion: 1, fields: { dose: '15 mg' }, base: { dose: '10 mg' } })).toMatchObject({ status: 'applied' });
    expect(JSON.parse((await entry(entryId)).fields)).toMatchObject({ dose: '15 mg', refillsLeft: 3 });
  });

  it('a change that would leave the entry invalid, or names a field the entry does not have, is refused and writes nothing', async () => {
    const entryId = await addMedication();
    const before = await entry(entryId);
    const base = { kind: 'medication' as const, entryId, patientId: ann.patientId, baseVersion: 1 };
    expect(await applyV2(team.doctor, 'saveRecordEntry', { ...base, fields: { name: '' }, base: { name: MEDICATION.name } })).toMatchObject({ status: 'rejected', error: { code: 'validation_failed' } });
    expect(await applyV2(team.doctor, 'saveRecordEntry', { ...base, fields: { colour: 'red' } as never, base: {} })).toMatchObject({ status: 'rejected', error: { code: 'validation_failed' } });
    expect(await entry(entryId)).toEqual(before);
  });

  it('argsVersion 1 (every field, row-level) still works on an unchanged entry', async () => {
    const entryId = await addMedication();
    expect(await team.doctor.apply('saveRecordEntry', { kind: 'medication', entryId, patientId: ann.patientId, baseVersion: 1, fields: { ...MEDICATION, active: false } })).toMatchObject({ status: 'applied' });
    expect(JSON.parse((await entry(entryId)).fields)).toEqual({ ...MEDICATION, active: false });
  });
});

describe('state transitions keep their baseVersion check on their own row only', () => {
  it('an edit of the patient, made after the desk last saw the appointment, does not refuse a cancellation', async () => {
    const id = await newPatient();
    const appointmentId = randomUUID();
    expect(await team.desk.apply('createAppointment', { appointmentId, patientId: id, physicianId: team.doctor.id, start: futureSlot(40, 15), durationMinutes: 30, reason: 'Check-up' })).toMatchObject({ status: 'applied' });
    expect(await applyV2(desk2, 'updatePatient', { patientId: id, baseVersion: 1, changes: { phone: '555-0177' }, base: { phone: '555-0100' } })).toMatchObject({ status: 'applied' });
    expect(await team.desk.apply('cancelAppointment', { appointmentId, reason: 'The patient called.', baseVersion: 1 })).toMatchObject({ status: 'applied' });
    const row = await portal.handle.context.db.read((m) => m.findOneByOrFail(AppointmentEntity, { id: appointmentId }));
    expect(row).toMatchObject({ status: 'cancelled', version: 2 });
  });

  it('the same slot changed by another desk meanwhile still refuses it, and nothing is written', async () => {
    const id = await newPatient();
    const appointmentId = randomUUID();
    await team.desk.apply('createAppointment', { appointmentId, patientId: id, physicianId: team.doctor.id, start: futureSlot(41, 15), durationMinutes: 30, reason: 'Check-up' });
    expect(await desk2.apply('scheduleAppointment', { appointmentId, physicianId: team.doctor.id, start: futureSlot(41, 16), durationMinutes: 30, baseVersion: 1 })).toMatchObject({ status: 'applied' });
    const before = await portal.handle.context.db.read((m) => m.findOneByOrFail(AppointmentEntity, { id: appointmentId }));
    expect(await team.desk.apply('scheduleAppointment', { appointmentId, physicianId: team.doctor.id, start: futureSlot(41, 17), durationMinutes: 30, baseVersion: 1 })).toMatchObject({ status: 'rejected', error: { code: 'conflict' } });
    expect(await portal.handle.context.db.read((m) => m.findOneByOrFail(AppointmentEntity, { id: appointmentId }))).toEqual(before);
  });
});
