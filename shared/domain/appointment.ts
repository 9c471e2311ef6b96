/** Appointments: a patient's request, the desk's answer, the visit. */
export const APPOINTMENT_STATUSES = [
  'requested', // the patient asked; waiting for the desk
  'proposed', // the desk offered another time; waiting for the patient
  'scheduled',
  'declined', // the desk said no, with a reason the patient sees
  'cancelled', // by the patient or the desk
  'completed',
] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const APPOINTMENT_STATUS_LABELS: Record<AppointmentStatus, string> = {
  requested: 'Requested',
  proposed: 'New time proposed',
  scheduled: 'Scheduled',
  declined: 'Declined',
  cancelled: 'Cancelled',
  completed: 'Completed',
};

export const APPOINTMENT_DURATIONS = [10, 15, 20, 30, 45, 60, 90] as const;
export const DEFAULT_CANCEL_CUTOFF_HOURS = 24;

/** Synced to the console; instants are ISO UTC strings. */
export interface AppointmentRecord {
  id: string;
  patientId: string;
  /** Who sees the patient (set when scheduled or proposed). */
  physicianId: string | null;
  /** The patient's wish when requesting; may be null ("any"). */
  preferredPhysicianId: string | null;
  reason: string;
  /** The patient's preferred days and times, in their words. */
  preferredTimes: string;
  start: string | null;
  end: string | null;
  status: AppointmentStatus;
  /** What the desk told the patient (decline or cancel reason, note with a proposal). */
  staffNote: string | null;
  cancelledBy: 'patient' | 'staff' | null;
  requestedAt: string;
  version: number;
  updatedAt: string;
}

/** What the patient portal shows. */
export interface AppointmentView {
  id: string;
  status: AppointmentStatus;
  reason: string;
  preferredTimes: string;
  physicianName: string | null;
  start: string | null;
  end: string | null;
  staffNote: string | null;
  requestedAt: string;
  /** Whether the patient may still cancel (clinic setting: hours before start). */
  canCancel: boolean;
}
