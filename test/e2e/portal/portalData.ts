import type { AppointmentsView, HomeSummary, PhysicianOption } from '../../../shared/api/patient';
import type { ClinicPublicInfo, PatientSessionView } from '../../../shared/api/types';
import type { AppointmentView } from '../../../shared/domain/appointment';
import type { ThreadView } from '../../../shared/domain/message';
import type { RecordBundle } from '../../../shared/domain/record';
import type { RenewalView } from '../../../shared/domain/renewal';

/** A signed-in patient's portal as the API would describe it: William Hart at Maple Street. */

export const CLINIC: ClinicPublicInfo = {
  name: 'Maple Street Family Clinic',
  phone: '(555) 010-2030',
  timeZone: 'America/New_York',
  passwordPolicy: 'default',
  today: '2026-11-26',
};
export const SESSION: PatientSessionView = {
  patient: { givenName: 'William', familyName: 'Hart' },
  clinic: { name: CLINIC.name, phone: CLINIC.phone },
  language: null,
  csrfToken: 'csrf-1234',
  idleTimeoutSeconds: 900,
};

export const DR_PATEL: PhysicianOption = { id: '7d1f8a52-3c1e-4b7a-9a55-0f6f7f6f1a01', displayName: 'Dr. Sam Patel' };
export const DR_NG: PhysicianOption = { id: '7d1f8a52-3c1e-4b7a-9a55-0f6f7f6f1a02', displayName: 'Dr. Lee Ng' };
export const LISINOPRIL_ID = '2b9e51c4-8d0a-4f43-8f7e-5b8ad5e0c101';
export const METFORMIN_ID = '2b9e51c4-8d0a-4f43-8f7e-5b8ad5e0c102';

const entry = (id: string) => ({ id, patientId: 'p-1', version: 1, updatedAt: '2026-11-01T12:00:00.000Z' });

export function recordBundle(): RecordBundle {
  return {
    problem: [{ ...entry('pr-1'), name: 'High blood pressure', status: 'active', onsetDate: '2021-03-09', note: '' }],
    medication: [
      { ...entry(LISINOPRIL_ID), name: 'Lisinopril', dose: '10 mg', instructions: 'Once a day', prescriberName: 'Dr. Sam Patel', refillsLeft: 2, active: true },
      { ...entry(METFORMIN_ID), name: 'Metformin', dose: '500 mg', instructions: 'Twice a day with meals', prescriberName: 'Dr. Sam Patel', refillsLeft: 0, active: true },
      { ...entry('med-old'), name: 'Amoxicillin', dose: '250 mg', instructions: '', prescriberName: 'Dr. Lee Ng', refillsLeft: 0, active: false },
    ],
    allergy: [],
    immunization: [{ ...entry('im-1'), vaccine: 'Influenza', date: '2025-10-02', note: '' }],
    labResult: [
      { ...entry('lab-1'), test: 'LDL cholesterol', value: '162', unit: 'mg/dL', referenceRange: '< 130', flag: 'high', date: '2026-10-15' },
      { ...entry('lab-2'), test: 'Hemoglobin A1c', value: '5.4', unit: '%', referenceRange: '4.0–5.6', flag: 'normal', date: '2026-10-15' },
    ],
    visitSummary: [
      { ...entry('vs-1'), date: '2026-10-15', physicianName: 'Dr. Sam Patel', reason: 'Blood pressure check', summary: 'Pressure 128/82.\nKeep taking lisinopril.' },
    ],
  };
}

const appointment = (fields: Partial<AppointmentView> & Pick<AppointmentView, 'id' | 'status' | 'reason'>): AppointmentView => ({
  preferredTimes: 'Weekday mornings',
  physicianName: null,
  start: null,
  end: null,
  staffNote: null,
  requestedAt: '2026-11-20T15:00:00.000Z',
  canCancel: false,
  ...fields,
});

export function appointmentsView(): AppointmentsView {
  return {
    upcoming: [
      // 9:30 AM Eastern on Thursday, December 3, 2026.
      appointment({ id: 'ap-1', status: 'scheduled', reason: 'Blood pressure check', physicianName: 'Dr. Sam Patel', start: '2026-12-03T14:30:00.000Z', end: '2026-12-03T14:50:00.000Z', canCancel: true }),
      appointment({ id: 'ap-2', status: 'scheduled', reason: 'Flu shot', physicianName: 'Dr. Lee Ng', start: '2026-11-27T13:00:00.000Z', end: '2026-11-27T13:10:00.000Z', canCancel: false }),
    ],
    past: [appointment({ id: 'ap-0', status: 'completed', reason: 'Yearly check-up', physicianName: 'Dr. Sam Patel', start: '2026-10-15T13:00:00.000Z' })],
    open: [
      appointment({ id: 'ap-3', status: 'proposed', reason: 'Knee pain', physicianName: 'Dr. Lee Ng', start: '2026-12-08T19:00:00.000Z', staffNote: 'Dr. Ng is free that afternoon.' }),
    ],
    cancelCutoffHours: 24,
    timeZone: 'America/New_York',
  };
}

export function renewals(): RenewalView[] {
  const base = { pharmacy: '', note: '', decisionNote: null, decidedByName: null, decidedAt: null, requestedAt: '2026-11-10T15:00:00.000Z' };
  return [
    { ...base, id: 'rn-1', medicationId: METFORMIN_ID, medicationName: 'Metformin', status: 'denied', decisionNote: 'Please book a visit first: we need a new A1c.', decidedByName: 'Dr. Sam Patel', decidedAt: '2026-11-11T15:00:00.000Z' },
    { ...base, id: 'rn-2', medicationId: LISINOPRIL_ID, medicationName: 'Lisinopril', status: 'approved', pharmacy: 'Main St Pharmacy', decidedByName: 'Dr. Sam Patel', decidedAt: '2026-11-02T15:00:00.000Z' },
  ];
}

export function threads(): ThreadView[] {
  return [
    {
      id: 'th-1',
      subject: 'Question about my dose',
      status: 'open',
      lastMessageAt: '2026-11-21T14:05:00.000Z',
      unread: 2,
      assignedToName: 'Dr. Sam Patel',
      messages: [
        { id: 'm-1', mine: true, authorName: 'William Hart', body: 'Can I take <b>hi</b> twice?\nThanks.', sentAt: '2026-11-20T14:00:00.000Z', readAt: '2026-11-20T16:00:00.000Z' },
        { id: 'm-2', mine: false, authorName: 'Dr. Sam Patel', body: 'No, once a day.', sentAt: '2026-11-21T14:00:00.000Z', readAt: null },
        { id: 'm-3', mine: false, authorName: 'Dr. Sam Patel', body: 'Call us if it gets worse.', sentAt: '2026-11-21T14:05:00.000Z', readAt: null },
      ],
    },
    {
      id: 'th-2',
      subject: 'Test results',
      status: 'closed',
      lastMessageAt: '2026-10-20T14:00:00.000Z',
      unread: 0,
      assignedToName: null,
      messages: [
        { id: 'm-4', mine: true, authorName: 'William Hart', body: 'Are my results in?', sentAt: '2026-10-19T14:00:00.000Z', readAt: null },
        { id: 'm-5', mine: false, authorName: 'Front desk', body: 'Yes, they are in your record.', sentAt: '2026-10-20T14:00:00.000Z', readAt: '2026-10-20T15:00:00.000Z' },
      ],
    },
  ];
}

export function homeSummary(): HomeSummary {
  const view = appointmentsView();
  return {
    upcoming: view.upcoming,
    unreadMessages: 2,
    pendingRenewals: 1,
    recentUpdates: [
      { at: '2026-11-21T14:05:00.000Z', text: 'New message from the clinic: Your lab results', link: 'messages', kind: 'newMessage', params: { subject: 'Your lab results' } },
      { at: '2026-11-11T15:00:00.000Z', text: 'Your renewal of Metformin was denied.', link: 'renewals', kind: 'renewalDenied', params: { medication: 'Metformin' } },
    ],
  };
}
