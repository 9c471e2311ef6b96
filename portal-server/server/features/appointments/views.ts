import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { AppointmentView } from '../../../../shared/domain/appointment';
import type { AppointmentRow } from '../../../../shared/node/entities/clinical';
import { StaffUserEntity } from '../../../../shared/node/entities/server';
import type { ClinicRow } from '../../../../shared/node/entities/server';

/** Whether the patient may still cancel online: open requests always; a booking until the clinic's cutoff. */
export function canPatientCancel(row: AppointmentRow, clinic: ClinicRow, now: Date): boolean {
  if (row.status === 'requested' || row.status === 'proposed') {
    return true;
  }
  if (row.status !== 'scheduled' || !row.startAt) {
    return false;
  }
  return new Date(row.startAt).getTime() - now.getTime() >= clinic.appointmentCancelHours * 3_600_000;
}

export async function staffNames(m: EntityManager, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  const rows = wanted.length === 0 ? [] : await m.findBy(StaffUserEntity, { id: In(wanted) });
  return new Map(rows.map((r) => [r.id, r.displayName]));
}

export function appointmentView(row: AppointmentRow, names: Map<string, string>, clinic: ClinicRow, now: Date): AppointmentView {
  return {
    id: row.id,
    status: row.status,
    reason: row.reason,
    preferredTimes: row.preferredTimes,
    physicianName: row.physicianId ? (names.get(row.physicianId) ?? null) : null,
    start: row.startAt,
    end: row.endAt,
    staffNote: row.staffNote,
    requestedAt: row.requestedAt,
    canCancel: canPatientCancel(row, clinic, now),
  };
}

export async function appointmentViews(m: EntityManager, rows: AppointmentRow[], clinic: ClinicRow, now: Date): Promise<AppointmentView[]> {
  const names = await staffNames(m, rows.map((r) => r.physicianId));
  return rows.map((r) => appointmentView(r, names, clinic, now));
}
