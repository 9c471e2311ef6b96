/** A catch-up page is written in bulk: it must leave the replica exactly as row-by-row applying would. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../shared/sync/protocol';
import { LocalPatientEntity, ReplicaRowEntity } from './entities';
import { PATIENT_ID, appointmentRow, patientRow, pullInto, seedClinic, testId, upserts } from '../testRows';
import { TEST_PHYSICIAN, mariaForm, signInOffline, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';
import { applyChanges } from './replicaApply';

let core: TestCore;
beforeEach(async () => {
  core = await startTestCore({ now: () => new Date('2026-11-25T16:00:00.000Z') });
  await signInOffline(core);
  await seedClinic(core);
});
afterEach(async () => {
  await core.dispose();
});

const appointment = (id: string) => core.db.read((m) => m.findOneBy(ReplicaRowEntity, { tableName: 'appointment', id }));
const countAppointments = () => core.db.read((m) => m.countBy(ReplicaRowEntity, { tableName: 'appointment' }));

describe('applying a pull page in bulk', () => {
  it('upserts and deletes a page of 1,500 rows over several statements, keeps waiting local changes, and the last change of a row wins', async () => {
    const old = Array.from({ length: 5 }, () => appointmentRow());
    const [gone, twice, upThenDown, kept] = old as [ReturnType<typeof appointmentRow>, ReturnType<typeof appointmentRow>, ReturnType<typeof appointmentRow>, ReturnType<typeof appointmentRow>];
    const otherPatient = patientRow({ id: testId(), givenName: 'Olga' });
    await pullInto(core, [...upserts('appointment', old), ...upserts('patient', [otherPatient])]);
    // Local changes waiting to be pushed: a booking of `kept`, and a new patient.
    await core.services.appointments.book({ physicianId: TEST_PHYSICIAN.id, start: '2026-12-01T15:30:00.000Z', durationMinutes: 30, appointmentId: kept.id });
    const local = await core.services.patients.preRegister(mariaForm({ givenName: 'Lena' }), false);

    const fresh = Array.from({ length: 1500 }, (_, i) => appointmentRow({ reason: `Visit ${i}`, patientId: i % 2 ? PATIENT_ID : otherPatient.id }));
    const page: ChangeRecord[] = [
      ...upserts('appointment', fresh),
      { table: 'appointment', seq: 9001, op: 'delete', id: gone.id },
      ...upserts('appointment', [{ ...twice, version: 2, reason: 'first' }, { ...twice, version: 3, reason: 'second' }]),
      ...upserts('appointment', [{ ...upThenDown, version: 2 }]),
      { table: 'appointment', seq: 9002, op: 'delete', id: upThenDown.id },
      ...upserts('appointment', [{ ...kept, version: 2, reason: 'Changed on the server' }]),
      ...upserts('patient', [{ ...local.patient, version: 1, givenName: 'Server' }]),
      { table: 'patient', seq: 9003, op: 'delete', id: otherPatient.id },
      { table: 'invoice', seq: 9004, op: 'upsert', row: { id: testId() } } as unknown as ChangeRecord,
    ];
    const tables = await core.db.write((m) => applyChanges(m, core.outbox, page));

    expect([...tables].sort()).toEqual(['appointment', 'patient']);
    expect(await countAppointments()).toBe(old.length - 2 + fresh.length);
    for (const row of [fresh[0], fresh[887], fresh[888], fresh[1499]]) {
      const stored = await appointment(row?.id ?? '');
      expect(stored).toMatchObject({ version: 1, serverCopy: null, deletedLocally: false, patientId: row?.patientId, parentId: null, updatedAt: row?.updatedAt });
      expect(JSON.parse(stored?.data ?? '{}')).toEqual(row);
    }
    expect(await appointment(gone.id)).toBeNull();
    expect(await appointment(upThenDown.id)).toBeNull();
    expect(JSON.parse((await appointment(twice.id))?.data ?? '{}')).toMatchObject({ version: 3, reason: 'second' });
    // The booking still shows; the server's newer copy waits beside it.
    const booked = await appointment(kept.id);
    expect(JSON.parse(booked?.data ?? '{}')).toMatchObject({ status: 'scheduled', reason: kept.reason });
    expect(JSON.parse(booked?.serverCopy ?? '{}')).toMatchObject({ version: 2, reason: 'Changed on the server' });
    const patients = await core.db.read((m) => m.find(LocalPatientEntity, { order: { givenName: 'ASC' } }));
    expect(patients.map((p) => p.givenName)).toEqual(['Lena', 'Maria']);
    expect(JSON.parse(patients[0]?.serverCopy ?? '{}')).toMatchObject({ givenName: 'Server' });
    expect(patients[1]).toMatchObject({ id: PATIENT_ID, serverCopy: null, searchText: expect.stringContaining('maria lopez') });
  });

  it('replaces every column of a row pulled again, clearing a stale server copy', async () => {
    const row = appointmentRow();
    await pullInto(core, upserts('appointment', [row]));
    await core.db.write((m) => m.update(ReplicaRowEntity, { tableName: 'appointment', id: row.id }, { serverCopy: '{"stale":true}', deletedLocally: true }));
    const newer = { ...row, version: 2, patientId: testId(), reason: 'Moved' };
    await pullInto(core, upserts('appointment', [newer]));
    const stored = await appointment(row.id);
    expect(stored).toMatchObject({ version: 2, serverCopy: null, deletedLocally: false, patientId: newer.patientId });
    expect(JSON.parse(stored?.data ?? '{}')).toEqual(newer);
  });
});
