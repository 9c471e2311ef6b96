/** The demo's living clinic: records, appointments, renewals and messages for the registered demo patients. */
import { randomUUID } from 'node:crypto';
import type { RecordFields, RecordKind } from '../../shared/domain/record';
import type { PatientRow, StaffUserRow } from '../../shared/node/entities/server';
import { todayInZone } from '../../shared/time/dateOnly';
import { zonedToInstant } from '../../shared/time/zoned';
import { createAppointment } from './features/appointments/staffService';
import { requestAppointment } from './features/appointments/patientService';
import type { PatientCall, StaffCall } from './features/calls';
import { staffWriter } from './features/calls';
import { replyToThread } from './features/messages/staffService';
import { startThreadAsPatient } from './features/messages/patientService';
import { saveRecordEntry } from './features/record/service';
import { decideRenewal, requestRenewal } from './features/renewals/service';
import { insertSynced } from './features/sync/writeSynced';

type Entries = { [K in RecordKind]: RecordFields[K][] };
const PATEL = 'Dr. Sam Patel';

/** `ago(n)` is the date n days before today, so the demo always looks recent. */
const records = (ago: (days: number) => string): Record<'James' | 'Ana', Entries> => ({
  James: {
    problem: [
      { name: 'High blood pressure (hypertension)', status: 'active', onsetDate: '2019-03-10', note: 'Home readings twice a week.' },
      { name: 'Type 2 diabetes', status: 'active', onsetDate: '2021-06-01', note: '' },
      { name: 'Seasonal allergic rhinitis', status: 'resolved', onsetDate: null, note: '' },
    ],
    medication: [
      { name: 'Lisinopril', dose: '10 mg tablet', instructions: 'Take 1 tablet by mouth once a day.', prescriberName: PATEL, refillsLeft: 2, active: true },
      { name: 'Metformin', dose: '500 mg tablet', instructions: 'Take 1 tablet twice a day with meals.', prescriberName: PATEL, refillsLeft: 0, active: true },
      { name: 'Atorvastatin', dose: '20 mg tablet', instructions: 'Take 1 tablet at bedtime.', prescriberName: PATEL, refillsLeft: 3, active: true },
    ],
    allergy: [{ substance: 'Penicillin', reaction: 'Hives', severity: 'moderate' }],
    immunization: [
      { vaccine: 'Influenza (flu)', date: ago(45), note: '' },
      { vaccine: 'Tetanus and diphtheria (Td)', date: '2019-05-02', note: 'Next dose due 2029.' },
    ],
    labResult: [
      { test: 'Hemoglobin A1c', value: '7.8', unit: '%', referenceRange: '4.0–5.6', flag: 'high', date: ago(66) },
      { test: 'LDL cholesterol', value: '96', unit: 'mg/dL', referenceRange: 'below 100', flag: 'normal', date: ago(66) },
      { test: 'Potassium', value: '4.2', unit: 'mmol/L', referenceRange: '3.5–5.1', flag: 'normal', date: ago(66) },
    ],
    visitSummary: [
      { date: ago(62), physicianName: PATEL, reason: 'Diabetes follow-up', summary: 'A1c is above goal. Continue metformin, walk 30 minutes a day, recheck A1c in three months.' },
      { date: ago(265), physicianName: PATEL, reason: 'Annual physical', summary: 'Blood pressure well controlled on lisinopril. Fasting labs ordered.' },
    ],
  },
  Ana: {
    problem: [
      { name: 'Asthma, mild persistent', status: 'active', onsetDate: '2008-01-15', note: 'Worse with colds and in spring.' },
      { name: 'Iron deficiency anemia', status: 'active', onsetDate: ago(83), note: '' },
    ],
    medication: [
      { name: 'Albuterol inhaler', dose: '90 mcg per puff', instructions: '2 puffs every 4–6 hours as needed for wheezing.', prescriberName: PATEL, refillsLeft: 1, active: true },
      { name: 'Fluticasone inhaler', dose: '110 mcg per puff', instructions: '2 puffs twice a day; rinse your mouth after use.', prescriberName: PATEL, refillsLeft: 4, active: true },
      { name: 'Ferrous sulfate', dose: '325 mg tablet', instructions: 'Take 1 tablet once a day with orange juice.', prescriberName: PATEL, refillsLeft: 2, active: true },
    ],
    allergy: [
      { substance: 'Peanuts', reaction: 'Throat swelling, trouble breathing (anaphylaxis)', severity: 'severe' },
      { substance: 'Latex', reaction: 'Itchy rash', severity: 'mild' },
    ],
    immunization: [
      { vaccine: 'Influenza (flu)', date: ago(40), note: '' },
      { vaccine: 'Tdap (tetanus, diphtheria, pertussis)', date: '2021-07-12', note: '' },
      { vaccine: 'HPV, dose 3 of 3', date: '2009-11-03', note: '' },
    ],
    labResult: [
      { test: 'Hemoglobin', value: '10.9', unit: 'g/dL', referenceRange: '12.0–15.5', flag: 'low', date: ago(85) },
      { test: 'Ferritin', value: '8', unit: 'ng/mL', referenceRange: '15–150', flag: 'low', date: ago(85) },
      { test: 'TSH (thyroid)', value: '1.9', unit: 'mIU/L', referenceRange: '0.4–4.0', flag: 'normal', date: ago(85) },
    ],
    visitSummary: [
      { date: ago(83), physicianName: PATEL, reason: 'Tiredness', summary: 'Labs show low iron. Start ferrous sulfate daily; recheck blood count in eight weeks.' },
    ],
  },
});

export interface DemoPatient {
  key: 'James' | 'Ana';
  call: PatientCall;
}

/** A date `days` after `date` (YYYY-MM-DD), skipping weekends when `weekday` is set. */
function addDays(date: string, days: number, weekday = false): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  while (weekday && (d.getUTCDay() === 0 || d.getUTCDay() === 6)) {
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return d.toISOString().slice(0, 10);
}

/** Fills every section for the demo patients through the same services the console and the portal use. */
export async function seedDemoClinic(desk: StaffCall, physician: StaffUserRow, patients: DemoPatient[]): Promise<void> {
  const doctor: StaffCall = { ...desk, staff: physician };
  const zone = desk.clinic.timeZone;
  const today = todayInZone(zone, desk.ctx.now());
  const at = (date: string, time: string): string => zonedToInstant(date, time, zone) ?? '';
  const medicationIds = new Map<string, string>();

  for (const [i, { key, call }] of patients.entries()) {
    await seedHistory(desk, physician, call.patient, key, at(addDays(today, 3 + i, true), i === 0 ? '10:00' : '14:30'), medicationIds);
  }

  const [james, ana] = patients;
  if (!james || !ana) {
    return;
  }
  // Waiting at the desk: James's request, Ana's renewal.
  await requestAppointment(james.call, { reason: 'Knee pain when climbing stairs', preferredPhysicianId: physician.id, preferredTimes: 'Weekday mornings before 11' });
  await requestRenewal(ana.call, { medicationId: medicationIds.get('Ana:Albuterol inhaler'), pharmacy: 'Harbor Pharmacy, 40 Main St', note: 'Running low before my trip.' });
  // Already answered: James's metformin renewal.
  const renewal = await requestRenewal(james.call, { medicationId: medicationIds.get('James:Metformin'), pharmacy: 'Springfield Drugs', note: '' });
  await decideRenewal(doctor, { renewalId: renewal.id, decision: 'approved', note: 'Three refills; see you at your next visit.', refillsGranted: 3, baseVersion: 1 });

  const thread = await startThreadAsPatient(james.call, { subject: 'Blood sugar readings', body: 'My morning readings have been around 150 this week. Should I change anything before my appointment?' });
  await replyToThread(doctor, {
    threadId: thread.id,
    messageId: randomUUID(),
    body: 'Thanks for sending these, James. Keep taking metformin with meals and bring your meter to your appointment; we will look at the numbers together.',
  });
  await startThreadAsPatient(ana.call, { subject: 'Inhaler question', body: 'Is it normal to feel shaky after using the albuterol inhaler?' });
}

/**
 * One patient's history like James's or Ana's: every record section, a past visit and an
 * appointment booked at `start` with the physician. Medication ids are kept by `key:name`.
 */
async function seedHistory(desk: StaffCall, physician: StaffUserRow, patient: PatientRow, key: DemoPatient['key'], start: string, medicationIds: Map<string, string>): Promise<void> {
  const doctor: StaffCall = { ...desk, staff: physician };
  const zone = desk.clinic.timeZone;
  const today = todayInZone(zone, desk.ctx.now());
  for (const [kind, list] of Object.entries(records((n) => addDays(today, -n))[key]) as [RecordKind, RecordFields[RecordKind][]][]) {
    for (const fields of list) {
      const entryId = randomUUID();
      await saveRecordEntry(doctor, { kind, entryId, patientId: patient.id, fields, baseVersion: 0 } as Parameters<typeof saveRecordEntry>[1]);
      if (kind === 'medication') {
        medicationIds.set(`${key}:${(fields as RecordFields['medication']).name}`, entryId);
      }
    }
  }
  // A visit that took place, and one booked with Dr. Patel.
  await insertCompletedVisit(desk, patient, physician, zonedToInstant(addDays(today, key === 'James' ? -62 : -83), '09:30', zone) ?? '', key === 'James' ? 'Diabetes follow-up' : 'Tiredness');
  await createAppointment(desk, {
    appointmentId: randomUUID(),
    patientId: patient.id,
    physicianId: physician.id,
    start,
    durationMinutes: 30,
    reason: key === 'James' ? 'Blood pressure check' : 'Asthma review',
  });
}

/**
 * For the load bench only (bench/load.ts): `patients` more registered patients with James's or
 * Ana's history each, booked on weekdays from ten days on (after the demo's own), eight half-hour slots a day, so 200
 * simulated patients are 200 patients and not two accounts shared by all.
 */
export async function seedLoadHistories(desk: StaffCall, physician: StaffUserRow, patients: DemoPatient[]): Promise<void> {
  const zone = desk.clinic.timeZone;
  let day = addDays(todayInZone(zone, desk.ctx.now()), 10, true);
  for (const [i, { key, call }] of patients.entries()) {
    if (i > 0 && i % 8 === 0) {
      day = addDays(day, 1, true);
    }
    const slot = 9 * 60 + (i % 8) * 30;
    const time = `${String(Math.floor(slot / 60)).padStart(2, '0')}:${String(slot % 60).padStart(2, '0')}`;
    await seedHistory(desk, physician, call.patient, key, zonedToInstant(day, time, zone) ?? '', new Map());
  }
}

/** Past visits cannot be booked through the desk's service (it refuses the past), so they are written directly. */
async function insertCompletedVisit(c: StaffCall, patient: PatientRow, physician: StaffUserRow, startAt: string, reason: string): Promise<void> {
  const id = randomUUID();
  const now = c.ctx.now().toISOString();
  // Seeded history: audited as the demo's own writing of a past visit.
  await insertSynced(staffWriter(c), 'appointment', {
    id,
    clinicId: c.clinic.id,
    patientId: patient.id,
    physicianId: physician.id,
    preferredPhysicianId: null,
    reason,
    preferredTimes: '',
    startAt,
    endAt: new Date(Date.parse(startAt) + 30 * 60_000).toISOString(),
    status: 'completed',
    staffNote: null,
    cancelledBy: null,
    requestedAt: startAt,
    version: 1,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  }, { action: 'appointment.completed', detail: 'demo history' });
}
