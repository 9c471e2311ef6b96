/** Renewals, messages and the record through the real architecture: portal → server → console → server → portal. */
import { describe, expect, it } from 'vitest';
import type { RecordBundle } from '../../shared/domain/record';
import type { RenewalView } from '../../shared/domain/renewal';
import type { ThreadView } from '../../shared/domain/message';
import { AuditEventEntity } from '../../shared/node/entities/server';
import type { PatientClient } from '../../test/fixtures/patients';
import { registerPatient } from '../../test/fixtures/patients';
import { useClinicConsoles } from '../../test/fixtures/clinicConsoles';
import type { TestCore } from '../testSupport';

const clinic = useClinicConsoles([['drkim', 'Dr. Lee Kim', 'physician']]);
const openConsole = (username: string): Promise<TestCore> => clinic.openConsole(username);

const lisinopril = { name: 'Lisinopril', dose: '10 mg', instructions: 'Once a day', prescriberName: 'Dr. Sam Patel', refillsLeft: 0, active: true };

/** A registered patient with a medication the physician entered at the console. */
async function patientOnLisinopril(doctor: TestCore, givenName: string): Promise<{ patient: PatientClient; medicationId: string }> {
  const patient = await registerPatient(clinic.portal, clinic.team.desk.console, { givenName, familyName: 'Renew' });
  await doctor.engine.syncNow();
  const bundle = await doctor.services.record.save({ kind: 'medication', patientId: patient.patientId, entryId: null, fields: lisinopril });
  expect(await doctor.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });
  return { patient, medicationId: bundle.medication[0]?.id ?? '' };
}

describe('a renewal request', () => {
  it('reaches the physician’s queue, is approved at the console, and the patient sees it approved with the refills', async () => {
    const doctor = await openConsole('drpatel');
    const { patient, medicationId } = await patientOnLisinopril(doctor, 'Rita');
    const asked = await patient.post<RenewalView>('/api/renewals', { medicationId, pharmacy: 'Main St Pharmacy', note: 'Running out Friday' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    await doctor.engine.syncNow();
    const [queued] = (await doctor.services.renewals.queue('requested')).filter((i) => i.row.id === asked.body.id);
    expect(queued).toMatchObject({ patientName: 'Rita Renew', row: { medicationName: 'Lisinopril', pharmacy: 'Main St Pharmacy', note: 'Running out Friday' } });

    // The desk sees the same queue but may not decide.
    const desk = await openConsole('desk1');
    expect((await desk.services.renewals.queue('requested')).map((i) => i.row.id)).toContain(asked.body.id);
    await expect(desk.services.renewals.decide({ renewalId: asked.body.id, decision: 'approved', note: '', refillsGranted: 3 })).rejects.toMatchObject({ code: 'forbidden' });
    expect((await desk.engine.status()).pending).toBe(0);

    await doctor.services.renewals.decide({ renewalId: asked.body.id, decision: 'approved', note: '', refillsGranted: 3 });
    expect(await doctor.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });
    const [decided] = (await doctor.services.renewals.queue('all')).filter((i) => i.row.id === asked.body.id);
    expect(decided).toMatchObject({ row: { status: 'approved', version: 2 }, decidedByName: 'Dr. Sam Patel', pendingChanges: 0 });
    expect((await doctor.services.record.get(patient.patientId)).medication[0]).toMatchObject({ refillsLeft: 3, version: 2 });

    const seen = await patient.get<RenewalView[]>('/api/renewals');
    expect(seen.body).toEqual([expect.objectContaining({ id: asked.body.id, status: 'approved', decidedByName: 'Dr. Sam Patel' })]);
    const record = await patient.post<RecordBundle>('/api/record/view');
    expect(record.body.medication[0]?.refillsLeft).toBe(3);
  });
});

describe('a patient’s message', () => {
  it('lands in the inbox unread, is routed and answered at the console, and the patient reads the reply', async () => {
    const patient = await registerPatient(clinic.portal, clinic.team.desk.console, { givenName: 'Mona', familyName: 'Message' });
    const started = await patient.post<ThreadView>('/api/messages', { subject: 'Dose question', body: 'Can I take it with food?' });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const desk = await openConsole('desk1');
    const [inInbox] = (await desk.services.messages.inbox('unassigned')).filter((i) => i.row.id === started.body.id);
    expect(inInbox).toMatchObject({ patientName: 'Mona Message', lastMessagePreview: 'Can I take it with food?', row: { unreadForStaff: 1 } });
    expect((await desk.services.overview.counts()).unreadThreads).toBeGreaterThanOrEqual(1);
    await desk.services.messages.assign(started.body.id, clinic.team.doctor.id);
    expect(await desk.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });

    const doctor = await openConsole('drpatel');
    expect((await doctor.services.messages.inbox('mine')).map((i) => i.row.id)).toContain(started.body.id);
    const replied = await doctor.services.messages.reply(started.body.id, 'Yes, with breakfast is best.');
    expect(replied.messages.at(-1)).toMatchObject({ body: 'Yes, with breakfast is best.', version: 0 });
    expect(await doctor.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });
    const synced = await doctor.services.messages.thread(started.body.id);
    expect(synced.thread).toMatchObject({ pendingChanges: 0, assignedToName: 'Dr. Sam Patel', row: { unreadForStaff: 0, unreadForPatient: 1 } });
    expect(synced.messages.map((m) => [m.authorKind, m.version > 0, m.readAt !== null])).toEqual([
      ['patient', true, true],
      ['staff', true, false],
    ]);

    const read = await patient.post<ThreadView>(`/api/messages/${started.body.id}/read`);
    expect(read.body.messages.map((m) => [m.mine, m.body])).toEqual([
      [true, 'Can I take it with food?'],
      [false, 'Yes, with breakfast is best.'],
    ]);
    await doctor.engine.syncNow();
    expect((await doctor.services.messages.thread(started.body.id)).messages[1]?.readAt).not.toBeNull();
  });
});

describe('the medical record', () => {
  it('a physician’s entries reach the patient; an opening of the record is audited on the server', async () => {
    const doctor = await openConsole('drpatel');
    const patient = await registerPatient(clinic.portal, clinic.team.desk.console, { givenName: 'Rex', familyName: 'Record' });
    await doctor.engine.syncNow();
    await doctor.engine.stop();
    await doctor.services.record.get(patient.patientId);
    const added = await doctor.services.record.save({ kind: 'allergy', patientId: patient.patientId, entryId: null, fields: { substance: 'Penicillin', reaction: 'Hives', severity: 'moderate' } });
    const allergyId = added.allergy[0]?.id ?? null;
    await doctor.services.record.save({ kind: 'allergy', patientId: patient.patientId, entryId: allergyId, fields: { substance: 'Penicillin', reaction: 'Hives and swelling', severity: 'severe' } });
    const lab = await doctor.services.record.save({ kind: 'labResult', patientId: patient.patientId, entryId: null, fields: { test: 'LDL', value: '162', unit: 'mg/dL', referenceRange: '< 130', flag: 'high', date: '2026-11-01' } });
    await doctor.services.record.remove({ kind: 'labResult', entryId: lab.labResult[0]?.id ?? '' });
    expect((await doctor.engine.status()).pending).toBe(4);
    doctor.engine.start();
    expect(await doctor.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });

    const bundle = await doctor.services.record.get(patient.patientId);
    expect(bundle.allergy).toEqual([expect.objectContaining({ id: allergyId, reaction: 'Hives and swelling', severity: 'severe', version: 1 })]);
    expect(bundle.labResult).toEqual([]);
    const seen = await patient.post<RecordBundle>('/api/record/view');
    expect(seen.body.allergy).toEqual([expect.objectContaining({ id: allergyId, severity: 'severe' })]);
    expect(seen.body.labResult).toEqual([]);
    // Opened twice within a few minutes: reported once.
    const views = await clinic.portal.handle.context.db.read((m) => m.findBy(AuditEventEntity, { action: 'record.view', entityId: patient.patientId, actorKind: 'staff' }));
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ actorId: clinic.team.doctor.id, detail: expect.stringContaining('by=staff') });
  });

  it('an edit built on an entry another physician changed meanwhile is refused and rolled back to theirs', async () => {
    const drPatel = await openConsole('drpatel');
    const drKim = await openConsole('drkim');
    const patient = await registerPatient(clinic.portal, clinic.team.desk.console, { givenName: 'Cora', familyName: 'Conflict' });
    await drPatel.engine.syncNow();
    const made = await drPatel.services.record.save({ kind: 'problem', patientId: patient.patientId, entryId: null, fields: { name: 'Asthma', status: 'active', onsetDate: null, note: '' } });
    const problemId = made.problem[0]?.id ?? null;
    await drPatel.engine.syncNow();
    await drKim.engine.syncNow();
    await drKim.engine.stop();
    await drPatel.services.record.save({ kind: 'problem', patientId: patient.patientId, entryId: problemId, fields: { name: 'Asthma', status: 'resolved', onsetDate: null, note: 'Gone since spring' } });
    await drPatel.engine.syncNow();
    // Dr. Kim changes the name (merges) and the same note (conflicts): the whole edit is refused.
    await drKim.services.record.save({ kind: 'problem', patientId: patient.patientId, entryId: problemId, fields: { name: 'Asthma, mild', status: 'active', onsetDate: null, note: 'Mild, seasonal' } });
    drKim.engine.start();
    const status = await drKim.engine.syncNow();
    expect(status.rejected).toEqual([
      expect.objectContaining({ description: "Update problem “Asthma, mild” in Cora Conflict's record", kind: 'conflict', reason: 'The note was changed by another physician meanwhile: now “Gone since spring”. Nothing of this change was saved.' }),
    ]);
    expect((await drKim.services.record.get(patient.patientId)).problem).toEqual([expect.objectContaining({ id: problemId, name: 'Asthma', status: 'resolved', note: 'Gone since spring', version: 2 })]);
  });
});
