/** The records both sides sync: ~300-byte appointment records, the same JSON for ours and PouchDB. */
import type { AppointmentRecord } from '../shared/domain/appointment';

const STATUSES = ['requested', 'scheduled', 'completed', 'cancelled'] as const;
const REASONS = ['Persistent cough', 'Blood pressure check', 'Annual physical', 'Follow-up on lab results', 'Knee pain after running'];

/** A deterministic uuid-shaped id, so runs are reproducible: `prefix` tells the kinds apart. */
export function benchId(prefix: number, i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

export const PATIENT_PREFIX = 0xaa;
export const APPOINTMENT_PREFIX = 0xbb;

/** Appointment `i` of patient `i % patients`; `batch` keeps later seeds apart from earlier ones. */
export function appointmentRecord(i: number, patients: number, physicianId: string, batch = 0): AppointmentRecord {
  const day = new Date(Date.UTC(2026, 0, 1) + (i % 365) * 86_400_000);
  const start = new Date(day.getTime() + (9 + (i % 8)) * 3_600_000).toISOString();
  const status = STATUSES[i % STATUSES.length] ?? 'requested';
  return {
    id: benchId(APPOINTMENT_PREFIX + batch, i),
    patientId: benchId(PATIENT_PREFIX, i % patients),
    physicianId: status === 'requested' ? null : physicianId,
    preferredPhysicianId: null,
    reason: REASONS[i % REASONS.length] ?? '',
    preferredTimes: 'Weekday mornings',
    start: status === 'requested' ? null : start,
    end: status === 'requested' ? null : new Date(Date.parse(start) + 1_800_000).toISOString(),
    status,
    staffNote: null,
    cancelledBy: status === 'cancelled' ? 'patient' : null,
    requestedAt: day.toISOString(),
    version: 1,
    updatedAt: day.toISOString(),
  };
}
