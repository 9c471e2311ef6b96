import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainError } from '../../shared/api/errors';
import { RECORD_KINDS } from '../../shared/domain/record';
import { ReplicaRowEntity } from '../replica/entities';
import { PATIENT_ID, argsOf, entryRow, outboxRows, pullInto, refuse, seedClinic, upserts } from '../testRows';
import { TEST_PHYSICIAN, TEST_STAFF, signInOffline, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';
import { RECORD_VIEW_THROTTLE_MS } from './record';

let core: TestCore;
let clock = new Date('2026-11-25T16:00:00.000Z');
const allergy = entryRow('allergy', { version: 2 });
const severe = entryRow('allergy', { substance: 'Peanuts', severity: 'severe' });
const oldLab = entryRow('labResult', { date: '2024-01-01' });
const newLab = entryRow('labResult', { date: '2025-11-01' });

beforeEach(async () => {
  clock = new Date('2026-11-25T16:00:00.000Z');
  core = await startTestCore({ now: () => clock });
  await seedClinic(core);
  await pullInto(core, [...upserts('allergy', [allergy, severe]), ...upserts('labResult', [oldLab, newLab]), ...upserts('problem', [entryRow('problem', { patientId: '66666666-6666-4666-8666-666666666666' })])]);
});
afterEach(async () => {
  await core.dispose();
});

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as DomainError);
const rows = () => core.db.read((m) => m.find(ReplicaRowEntity, { order: { tableName: 'ASC', id: 'ASC' } }));
const viewed = async () => (await outboxRows(core)).filter((e) => e.name === 'recordViewed');

describe('reading the record', () => {
  it('returns every section of this patient only, in reading order', async () => {
    await signInOffline(core);
    const bundle = await core.services.record.get(PATIENT_ID);
    expect(Object.keys(bundle).sort()).toEqual([...RECORD_KINDS].sort());
    expect(bundle.allergy.map((a) => a.substance)).toEqual(['Peanuts', 'Penicillin']);
    expect(bundle.labResult.map((l) => l.id)).toEqual([newLab.id, oldLab.id]);
    expect(bundle.problem).toEqual([]);
  });

  it('reports each opening to the server, at most once per staff member and patient every few minutes', async () => {
    await signInOffline(core);
    await core.services.record.get(PATIENT_ID);
    await core.services.record.get(PATIENT_ID);
    expect(await viewed()).toHaveLength(1);
    expect(argsOf((await viewed())[0], 'recordViewed')).toEqual({ patientId: PATIENT_ID, viewedAt: clock.toISOString() });
    expect((await viewed())[0]).toMatchObject({ staffUserId: TEST_STAFF.id, description: "Report that you opened Maria Lopez's record" });
    clock = new Date(clock.getTime() + RECORD_VIEW_THROTTLE_MS - 1000);
    await core.services.record.get(PATIENT_ID);
    expect(await viewed()).toHaveLength(1);
    // Another staff member on the same computer is reported on their own.
    await signInOffline(core, undefined, TEST_PHYSICIAN);
    await core.services.record.get(PATIENT_ID);
    expect((await viewed()).map((e) => e.staffUserId)).toEqual([TEST_STAFF.id, TEST_PHYSICIAN.id]);
    clock = new Date(clock.getTime() + RECORD_VIEW_THROTTLE_MS + 1000);
    await core.services.record.get(PATIENT_ID);
    expect(await viewed()).toHaveLength(3);
    expect((await core.engine.status()).pending).toBe(3);
  });
});

describe('a physician keeping the record offline', () => {
  beforeEach(async () => {
    await signInOffline(core, undefined, TEST_PHYSICIAN);
  });

  it('adds an entry: shown at once with version 0, one saveRecordEntry (baseVersion 0) waiting', async () => {
    const fields = { name: 'Metformin', dose: '500 mg', instructions: 'Twice a day', prescriberName: 'Dr. Sam Patel', refillsLeft: 3, active: true };
    const bundle = await core.services.record.save({ kind: 'medication', patientId: PATIENT_ID, entryId: null, fields });
    expect(bundle.medication).toEqual([expect.objectContaining({ ...fields, version: 0, patientId: PATIENT_ID })]);
    const [entry] = await outboxRows(core);
    expect(argsOf(entry, 'saveRecordEntry')).toEqual({ kind: 'medication', entryId: bundle.medication[0]?.id, patientId: PATIENT_ID, fields, baseVersion: 0 });
    expect(entry?.description).toBe("Add medication “Metformin” to Maria Lopez's record");
  });

  it('edits on the version it saw; a second edit before sending folds into the first', async () => {
    const edit = (reaction: string) => core.services.record.save({ kind: 'allergy', patientId: PATIENT_ID, entryId: allergy.id, fields: { substance: 'Penicillin', reaction, severity: 'severe' } });
    await edit('Rash');
    const bundle = await edit('Swelling');
    expect(bundle.allergy.find((a) => a.id === allergy.id)).toMatchObject({ reaction: 'Swelling', severity: 'severe', version: 2 });
    const entries = await outboxRows(core);
    expect(entries).toHaveLength(1);
    // Only the changed fields, each with what it showed before the first edit (field-level, argsVersion 2).
    expect(argsOf(entries[0], 'saveRecordEntry')).toEqual({
      kind: 'allergy',
      entryId: allergy.id,
      patientId: PATIENT_ID,
      baseVersion: 2,
      fields: { reaction: 'Swelling', severity: 'severe' },
      base: { reaction: 'Hives', severity: 'moderate' },
    });
    expect(entries[0]?.argsVersion).toBe(2);
    // Refused: the server's entry comes back.
    await refuse(core, 1, 'Changed at another desk.');
    expect((await core.services.record.get(PATIENT_ID)).allergy.find((a) => a.id === allergy.id)).toMatchObject({ reaction: 'Hives', severity: 'moderate' });
  });

  it('saving an entry unchanged sends nothing', async () => {
    const before = await rows();
    await core.services.record.save({ kind: 'allergy', patientId: PATIENT_ID, entryId: allergy.id, fields: { substance: allergy.substance, reaction: allergy.reaction, severity: allergy.severity } });
    expect(await outboxRows(core)).toEqual([]);
    expect(await rows()).toEqual(before);
  });

  it('removes an entry: hidden at once, back if the server refuses', async () => {
    const bundle = await core.services.record.remove({ kind: 'labResult', entryId: oldLab.id });
    expect(bundle.labResult.map((l) => l.id)).toEqual([newLab.id]);
    const [entry] = await outboxRows(core);
    expect(argsOf(entry, 'deleteRecordEntry')).toEqual({ kind: 'labResult', entryId: oldLab.id, baseVersion: 1 });
    expect(entry?.description).toBe("Remove lab result “LDL cholesterol” from Maria Lopez's record");
    await refuse(core, 1, 'No.');
    expect((await core.services.record.get(PATIENT_ID)).labResult.map((l) => l.id)).toEqual([newLab.id, oldLab.id]);
  });

  it('refuses invalid entries with field messages and writes nothing', async () => {
    const before = await rows();
    const err = await failure(core.services.record.save({ kind: 'labResult', patientId: PATIENT_ID, entryId: null, fields: { test: '', value: '1', unit: '', referenceRange: '', flag: 'weird' as 'high', date: '2025-02-30' } }));
    expect(err?.code).toBe('validation_failed');
    expect(Object.keys(err?.fields ?? {}).sort()).toEqual(['date', 'flag', 'test']);
    expect(await failure(core.services.record.save({ kind: 'diagnosis' as 'problem', patientId: PATIENT_ID, entryId: null, fields: entryRow('problem') }))).toMatchObject({ code: 'validation_failed' });
    expect(await failure(core.services.record.remove({ kind: 'allergy', entryId: oldLab.id }))).toMatchObject({ code: 'not_found' });
    expect(await outboxRows(core)).toEqual([]);
    expect(await rows()).toEqual(before);
  });
});

describe('a receptionist', () => {
  it('reads the record but may not change it; nothing is written', async () => {
    await signInOffline(core);
    const before = await rows();
    const save = await failure(core.services.record.save({ kind: 'allergy', patientId: PATIENT_ID, entryId: null, fields: { substance: 'Latex', reaction: 'Rash', severity: 'mild' } }));
    expect(save).toMatchObject({ code: 'forbidden', message: 'Only a physician can change the medical record.' });
    const remove = await failure(core.services.record.remove({ kind: 'allergy', entryId: allergy.id }));
    expect(remove?.code).toBe('forbidden');
    expect(await outboxRows(core)).toEqual([]);
    expect(await rows()).toEqual(before);
  });
});
