import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordBundle, RecordFields, RecordKind } from '../../../../shared/domain/record';
import { RecordEntryEntity } from '../../../../shared/node/entities/clinical';
import { AuditEventEntity } from '../../../../shared/node/entities/server';
import type { MutationArgs } from '../../../../shared/sync/protocol';
import type { ClinicTeam, PatientClient, StaffDesk } from '../../../../test/fixtures/patients';
import { clinicTeam, pullAll, pulledRow, registerPatient } from '../../../../test/fixtures/patients';
import { failInserts } from '../../../../test/fixtures/insertFault';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { startTestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let team: ClinicTeam;
let ann: PatientClient;
let bob: PatientClient;

const ENTRIES: { [K in RecordKind]: RecordFields[K] } = {
  problem: { name: 'Asthma', status: 'active', onsetDate: '2010-04-01', note: '' },
  medication: { name: 'Albuterol', dose: '90 mcg', instructions: '2 puffs as needed', prescriberName: 'Dr. Sam Patel', refillsLeft: 2, active: true },
  allergy: { substance: 'Peanuts', reaction: 'Anaphylaxis', severity: 'severe' },
  immunization: { vaccine: 'Influenza', date: '2026-10-01', note: '' },
  labResult: { test: 'Hemoglobin', value: '10.9', unit: 'g/dL', referenceRange: '12.0–15.5', flag: 'low', date: '2026-09-01' },
  visitSummary: { date: '2026-09-02', physicianName: 'Dr. Sam Patel', reason: 'Tiredness', summary: 'Start iron.' },
};

function save(who: StaffDesk, kind: RecordKind, patientId: string, fields: object, baseVersion = 0, entryId = randomUUID()) {
  return who.apply('saveRecordEntry', { kind, entryId, patientId, fields, baseVersion } as MutationArgs['saveRecordEntry']);
}

beforeAll(async () => {
  portal = await startTestPortal();
  team = await clinicTeam(portal);
  ann = await registerPatient(portal, team.desk.console, { givenName: 'Ann', familyName: 'Avery' });
  bob = await registerPatient(portal, team.desk.console, { givenName: 'Bob', familyName: 'Brown' });
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
const entryCount = () => db().read((m) => m.count(RecordEntryEntity));
const audits = (action: string, entityId: string) => db().read((m) => m.findBy(AuditEventEntity, { action, entityId }));

describe('the medical record', () => {
  it('a physician fills every section; the patient reads only their own, and the read is audited', async () => {
    for (const [kind, fields] of Object.entries(ENTRIES)) {
      expect((await save(team.doctor, kind as RecordKind, ann.patientId, fields)).status).toBe('applied');
    }
    const res = await ann.post<RecordBundle>('/api/record/view');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    for (const [kind, fields] of Object.entries(ENTRIES)) {
      expect(res.body[kind as RecordKind]).toEqual([expect.objectContaining({ ...fields, patientId: ann.patientId, version: 1 })]);
    }
    expect(await audits('record.view', ann.patientId)).toHaveLength(1);
    const empty = await bob.post<RecordBundle>('/api/record/view');
    expect(empty.body).toEqual({ problem: [], medication: [], allergy: [], immunization: [], labResult: [], visitSummary: [] });
  });

  it('no record leaves without its audit event: when the event cannot be written, the patient gets an error and no entry', async () => {
    expect((await save(team.doctor, 'allergy', bob.patientId, { substance: 'Latex', reaction: 'Hives', severity: 'mild' })).status).toBe('applied');
    // A real database failure on the audit insert only (a full disk, a broken constraint).
    const removeFault = await failInserts(db(), { name: 'test_audit_fault', table: 'audit_event', column: 'action', value: 'record.view' });
    try {
      const before = (await audits('record.view', bob.patientId)).length;
      const res = await bob.post<RecordBundle>('/api/record/view');
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toContain('Latex');
      expect(await audits('record.view', bob.patientId)).toHaveLength(before);
    } finally {
      await removeFault();
    }
    const after = await bob.post<RecordBundle>('/api/record/view');
    expect(after.body.allergy.map((a) => a.substance)).toEqual(['Latex']);
  });

  it('every entry reaches the consoles under its section\'s table', async () => {
    const changes = await pullAll(portal.url, team.desk.console.token);
    const tables = new Set(changes.filter((c) => c.op === 'upsert' && 'patientId' in c.row && c.row.patientId === ann.patientId).map((c) => c.table));
    for (const kind of Object.keys(ENTRIES)) {
      expect(tables).toContain(kind);
    }
  });

  it('refuses invalid fields with field messages, writing nothing', async () => {
    const before = await entryCount();
    const bad = await save(team.doctor, 'medication', ann.patientId, { name: '', dose: '5 mg', prescriberName: 'X', refillsLeft: -1, active: true });
    expect(bad.status).toBe('rejected');
    expect(bad.error?.code).toBe('validation_failed');
    expect(Object.keys(bad.error?.fields ?? {}).sort()).toEqual(['name', 'refillsLeft']);
    expect((await save(team.doctor, 'labResult', ann.patientId, { ...ENTRIES.labResult, date: '2026-02-30' })).error?.fields?.date).toMatch(/real date/);
    expect((await save(team.doctor, 'surgery' as RecordKind, ann.patientId, {})).error?.code).toBe('validation_failed');
    expect((await save(team.doctor, 'allergy', randomUUID(), ENTRIES.allergy)).error?.code).toBe('not_found');
    expect(await entryCount()).toBe(before);
  });

  it('only physicians change it: a receptionist and an admin are refused and nothing is written', async () => {
    const before = await entryCount();
    const entryId = randomUUID();
    expect((await save(team.doctor, 'allergy', bob.patientId, ENTRIES.allergy, 0, entryId)).status).toBe('applied');
    for (const who of [team.desk, team.admin]) {
      expect((await save(who, 'allergy', bob.patientId, ENTRIES.allergy)).error?.code).toBe('forbidden');
      expect((await save(who, 'allergy', bob.patientId, { ...ENTRIES.allergy, severity: 'mild' }, 1, entryId)).error?.code).toBe('forbidden');
      expect((await who.apply('deleteRecordEntry', { kind: 'allergy', entryId, baseVersion: 1 })).error?.code).toBe('forbidden');
    }
    expect(await entryCount()).toBe(before + 1);
    expect(await pulledRow(portal.url, team.desk.console.token, 'allergy', entryId)).toMatchObject({ severity: 'severe', version: 1 });
  });

  it('an edit on an old version from another console is a conflict; a delete leaves a tombstone', async () => {
    const entryId = randomUUID();
    await save(team.doctor, 'problem', bob.patientId, ENTRIES.problem, 0, entryId);
    expect((await save(team.doctor, 'problem', bob.patientId, { ...ENTRIES.problem, status: 'resolved' }, 1, entryId)).status).toBe('applied');
    const colleague = await team.add('drlee', 'Dr. Lee', 'physician');
    const stale = await save(colleague, 'problem', bob.patientId, { ...ENTRIES.problem, note: 'x' }, 1, entryId);
    expect(stale.error?.code).toBe('conflict');
    expect(stale.error?.message).toMatch(/changed this entry meanwhile/);
    // The entry cannot be moved to another patient's record.
    expect((await save(team.doctor, 'problem', ann.patientId, ENTRIES.problem, 2, entryId)).error?.code).toBe('not_found');

    expect((await colleague.apply('deleteRecordEntry', { kind: 'problem', entryId, baseVersion: 2 })).status).toBe('applied');
    expect((await bob.post<RecordBundle>('/api/record/view')).body.problem).toEqual([]);
    const last = (await pullAll(portal.url, team.desk.console.token)).filter((c) => c.table === 'problem' && c.op === 'delete');
    expect(last.map((c) => (c.op === 'delete' ? c.id : ''))).toContain(entryId);
  });

  it('a staff member opening a record on the console is audited with who and when', async () => {
    expect((await team.desk.apply('recordViewed', { patientId: bob.patientId, viewedAt: new Date().toISOString() })).status).toBe('applied');
    const event = (await audits('record.view', bob.patientId)).find((e) => e.actorKind === 'staff');
    expect(event).toMatchObject({ actorKind: 'staff', actorId: team.desk.id, entity: 'patient' });
    expect((await team.desk.apply('recordViewed', { patientId: randomUUID(), viewedAt: '' })).error?.code).toBe('not_found');
  });
});
