import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HomeSummary } from '../../../../shared/api/patient';
import type { AppointmentView } from '../../../../shared/domain/appointment';
import type { ThreadView } from '../../../../shared/domain/message';
import type { RenewalView } from '../../../../shared/domain/renewal';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicWithTwoPatients, futureSlot } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { api } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let team: ClinicTeam;
let ann: PatientClient;
let bob: PatientClient;

beforeAll(async () => {
  ({ portal, team, ann, bob } = await clinicWithTwoPatients());
});
afterAll(async () => {
  await portal.stop();
});

describe('GET /api/home', () => {
  it('sums up what is coming and what is new, for the signed-in patient only', async () => {
    const empty = await ann.get<HomeSummary>('/api/home');
    expect(empty.body).toEqual({ upcoming: [], unreadMessages: 0, pendingRenewals: 0, recentUpdates: [] });

    const appt = await ann.post<AppointmentView>('/api/appointments', { reason: 'Check-up', preferredPhysicianId: null, preferredTimes: 'Any' });
    await team.desk.apply('scheduleAppointment', { appointmentId: appt.body.id, physicianId: team.doctor.id, start: futureSlot(5), durationMinutes: 30, baseVersion: 1 });
    const medicationId = randomUUID();
    await team.doctor.apply('saveRecordEntry', { kind: 'medication', entryId: medicationId, patientId: ann.patientId, fields: { name: 'Lisinopril', dose: '10 mg', instructions: '', prescriberName: 'Dr. Sam Patel', refillsLeft: 0, active: true }, baseVersion: 0 });
    await ann.post<RenewalView>('/api/renewals', { medicationId });
    const duplicate = await ann.post<RenewalView>('/api/renewals', { medicationId });
    expect(duplicate.status).toBe(409);
    await team.doctor.apply('saveRecordEntry', { kind: 'labResult', entryId: randomUUID(), patientId: ann.patientId, fields: { test: 'Potassium', value: '6.1', unit: 'mmol/L', referenceRange: '3.5–5.1', flag: 'high', date: new Date().toISOString().slice(0, 10) }, baseVersion: 0 });
    // Old history typed in today is not news.
    await team.doctor.apply('saveRecordEntry', { kind: 'labResult', entryId: randomUUID(), patientId: ann.patientId, fields: { test: 'Old cholesterol', value: '180', unit: 'mg/dL', referenceRange: '', flag: 'normal', date: '2019-05-01' }, baseVersion: 0 });
    const thread = await ann.post<ThreadView>('/api/messages', { subject: 'Question', body: 'Hello' });
    await team.doctor.apply('replyToThread', { threadId: thread.body.id, messageId: randomUUID(), body: 'Hi Ann' });

    const home = await ann.get<HomeSummary>('/api/home');
    expect(home.body.upcoming.map((a) => a.id)).toEqual([appt.body.id]);
    expect(home.body.unreadMessages).toBe(1);
    expect(home.body.pendingRenewals).toBe(1);
    const texts = home.body.recentUpdates.map((u) => [u.link, u.text]);
    expect(texts).toEqual(
      expect.arrayContaining([
        ['messages', 'New message from the clinic: Question'],
        ['record', 'New lab result: Potassium'],
        ['appointments', expect.stringMatching(/^Your appointment on .* with Dr\. Sam Patel is scheduled\.$/)],
      ]),
    );
    // Each update also carries its kind and params, so the portal can say it in Spanish (issue 15).
    const kinds = home.body.recentUpdates.map((u) => [u.kind, u.params]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['newMessage', { subject: 'Question' }],
        ['newLabResult', { name: 'Potassium' }],
        ['appointmentScheduled', { start: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), physician: 'Dr. Sam Patel' }],
      ]),
    );
    expect(JSON.stringify(home.body.recentUpdates)).not.toContain('Old cholesterol');
    const times = home.body.recentUpdates.map((u) => u.at);
    expect(times).toEqual([...times].sort().reverse());

    // Read and decided things leave the counts; a recent decision is news.
    const pending = (await ann.get<RenewalView[]>('/api/renewals')).body.find((r) => r.status === 'requested');
    expect(await team.doctor.apply('decideRenewal', { renewalId: pending?.id ?? '', decision: 'approved', note: '', refillsGranted: null, baseVersion: 1 })).toMatchObject({ status: 'applied' });
    await ann.post<ThreadView>(`/api/messages/${thread.body.id}/read`, {});
    const after = await ann.get<HomeSummary>('/api/home');
    expect(after.body.unreadMessages).toBe(0);
    expect(after.body.pendingRenewals).toBe(0);
    expect(after.body.recentUpdates.map((u) => u.kind)).not.toContain('newMessage');
    expect(after.body.recentUpdates).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'renewalApproved', params: { medication: 'Lisinopril' } })]));

    expect((await bob.get<HomeSummary>('/api/home')).body).toEqual({ upcoming: [], unreadMessages: 0, pendingRenewals: 0, recentUpdates: [] });
    expect((await api(portal.url, '/api/home')).status).toBe(401);
  });
});
