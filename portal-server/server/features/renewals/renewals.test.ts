import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import type { MedicationFields } from '../../../../shared/domain/record';
import type { RenewalView } from '../../../../shared/domain/renewal';
import { RenewalRequestEntity } from '../../../../shared/node/entities/clinical';
import { readMails, waitForMail } from '../../../../test/fixtures/mail';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicTeam, pulledRow, registerPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, startTestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let team: ClinicTeam;
let ann: PatientClient;
let bob: PatientClient;

const MEDICATION: MedicationFields = { name: 'Zolpiquinex', dose: '10 mg', instructions: 'Once a day', prescriberName: 'Dr. Sam Patel', refillsLeft: 1, active: true };

async function addMedication(patientId: string, fields: Partial<MedicationFields> = {}): Promise<string> {
  const entryId = randomUUID();
  const outcome = await team.doctor.apply('saveRecordEntry', { kind: 'medication', entryId, patientId, fields: { ...MEDICATION, ...fields }, baseVersion: 0 });
  expect(outcome.status).toBe('applied');
  return entryId;
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

const renewals = () => portal.handle.context.db.read((m) => m.count(RenewalRequestEntity));
const renewal = (id: string) => portal.handle.context.db.read((m) => m.findOneByOrFail(RenewalRequestEntity, { id }));

describe('patient: asking for a renewal', () => {
  it('files a request for one of their medications; the console sees it; a second one for the same medication waits', async () => {
    const medicationId = await addMedication(ann.patientId);
    const res = await ann.post<RenewalView>('/api/renewals', { medicationId, pharmacy: 'Main Street Pharmacy', note: 'Running low' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ medicationName: 'Zolpiquinex', pharmacy: 'Main Street Pharmacy', note: 'Running low', status: 'requested', decidedByName: null });
    expect(await pulledRow(portal.url, team.desk.console.token, 'renewal', res.body.id)).toMatchObject({ patientId: ann.patientId, medicationId, status: 'requested' });
    const again = await ann.post<ApiErrorResponse>('/api/renewals', { medicationId });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already asked to renew Zolpiquinex/);
    expect((await ann.get<RenewalView[]>('/api/renewals')).body.map((r) => r.id)).toEqual([res.body.id]);
  });

  it('refuses a medication the patient does not have — someone else\'s, an unknown or an inactive one — and writes nothing', async () => {
    const bobsMedication = await addMedication(bob.patientId);
    const inactive = await addMedication(ann.patientId, { name: 'Oldmed', active: false });
    const before = await renewals();
    for (const medicationId of [bobsMedication, randomUUID(), inactive]) {
      const res = await ann.post<ApiErrorResponse>('/api/renewals', { medicationId });
      expect(res.status).toBe(400);
      expect(res.body.error.fields?.medicationId).toBeTruthy();
    }
    const bad = await ann.post<ApiErrorResponse>('/api/renewals', { medicationId: 'x', pharmacy: 'p'.repeat(121), note: 'n'.repeat(501) });
    expect(Object.keys(bad.body.error.fields ?? {}).sort()).toEqual(['medicationId', 'note', 'pharmacy']);
    expect(await renewals()).toBe(before);
    expect((await bob.get<RenewalView[]>('/api/renewals')).body).toEqual([]);
  });
});

describe('physician: deciding', () => {
  it('approving adds the refills granted to the medication, syncs both, and mails the patient without naming the medication', async () => {
    const medicationId = await addMedication(bob.patientId, { name: 'Quetrolamide', refillsLeft: 1 });
    const req = await bob.post<RenewalView>('/api/renewals', { medicationId, pharmacy: 'Corner Drugs', note: 'Please' });
    const mailsBefore = (await readMails(portal.mailDir)).filter((m) => m.to.includes(bob.email)).length;
    const outcome = await team.doctor.apply('decideRenewal', { renewalId: req.body.id, decision: 'approved', note: '', refillsGranted: 3, baseVersion: 1 });
    expect(outcome.status).toBe('applied');
    const medication = await pulledRow(portal.url, team.desk.console.token, 'medication', medicationId);
    expect(medication).toMatchObject({ refillsLeft: 4, version: 2, name: 'Quetrolamide' });
    expect(await pulledRow(portal.url, team.desk.console.token, 'renewal', req.body.id)).toMatchObject({ status: 'approved', decidedById: team.doctor.id });
    const [view] = (await bob.get<RenewalView[]>('/api/renewals')).body;
    expect(view).toMatchObject({ status: 'approved', decidedByName: 'Dr. Sam Patel' });

    await portal.handle.flushMail();
    const mail = await waitForMail(portal.mailDir, bob.email, { after: mailsBefore });
    expect(mail.text).toContain(`There is an update about your prescription renewal request at ${TEST_CLINIC.name}. Sign in to see it: ${portal.url}/renewals`);
    for (const phi of ['Quetrolamide', 'approved', 'Patel', 'Corner Drugs', 'Bob']) {
      expect(mail.subject + mail.text + mail.html).not.toContain(phi);
    }
    // Decided once: a second decision is a conflict.
    expect((await team.doctor.apply('decideRenewal', { renewalId: req.body.id, decision: 'denied', note: 'No', refillsGranted: null, baseVersion: 2 })).error?.code).toBe('conflict');
  });

  it('approving without a number grants one refill; denying needs a reason, which the patient sees', async () => {
    const medicationId = await addMedication(ann.patientId, { name: 'Plainmed', refillsLeft: 0 });
    const one = await ann.post<RenewalView>('/api/renewals', { medicationId });
    await team.doctor.apply('decideRenewal', { renewalId: one.body.id, decision: 'approved', note: '', refillsGranted: null, baseVersion: 1 });
    expect(await pulledRow(portal.url, team.doctor.console.token, 'medication', medicationId)).toMatchObject({ refillsLeft: 1 });

    const two = await ann.post<RenewalView>('/api/renewals', { medicationId });
    const noReason = await team.doctor.apply('decideRenewal', { renewalId: two.body.id, decision: 'denied', note: '', refillsGranted: null, baseVersion: 1 });
    expect(noReason.error?.code).toBe('validation_failed');
    expect((await renewal(two.body.id)).status).toBe('requested');
    await team.doctor.apply('decideRenewal', { renewalId: two.body.id, decision: 'denied', note: 'Please book a visit first.', refillsGranted: null, baseVersion: 1 });
    const view = (await ann.get<RenewalView[]>('/api/renewals')).body.find((r) => r.id === two.body.id);
    expect(view).toMatchObject({ status: 'denied', decisionNote: 'Please book a visit first.' });
  });

  it('a receptionist or an admin cannot decide: refused as forbidden, and nothing changes', async () => {
    const medicationId = await addMedication(ann.patientId, { name: 'Deskmed', refillsLeft: 2 });
    const req = await ann.post<RenewalView>('/api/renewals', { medicationId });
    for (const who of [team.desk, team.admin]) {
      const outcome = await who.apply('decideRenewal', { renewalId: req.body.id, decision: 'approved', note: '', refillsGranted: 5, baseVersion: 1 });
      expect(outcome.status).toBe('rejected');
      expect(outcome.error?.code).toBe('forbidden');
    }
    expect(await renewal(req.body.id)).toMatchObject({ status: 'requested', version: 1, decidedById: null });
    expect(await pulledRow(portal.url, team.desk.console.token, 'medication', medicationId)).toMatchObject({ refillsLeft: 2, version: 1 });
  });
});
