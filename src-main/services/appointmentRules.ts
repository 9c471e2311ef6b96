/** The appointment rules the console checks before anything is written (the server checks them again). */
import type { EntityManager } from 'typeorm';
import { object, string } from 'yup';
import { DomainError } from '../../shared/api/errors';
import type { AppointmentRecord } from '../../shared/domain/appointment';
import type { MutationArgs } from '../../shared/sync/protocol';
import { queryRows } from '../replica/replicaRows';
import { staffById } from '../replica/replicaRows';

export type Slot = Omit<MutationArgs['scheduleAppointment'], 'appointmentId' | 'baseVersion'>;
const status = "json_extract(r.data, '$.status')";

export const proposalNoteSchema = object({
  note: string()
    .trim()
    .max(300, 'Keep it under 300 characters.')
    .default('')
    .test('plain', 'Use plain text only.', (v) => !v || isPlainText(v)),
});

/** Like the shared schemas: control characters other than new lines and tabs are refused. */
function isPlainText(text: string): boolean {
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if ((code < 32 && ch !== '\n' && ch !== '\t' && ch !== '\r') || code === 127) {
      return false;
    }
  }
  return true;
}

/** The physician must be an active physician; the slot must be free in what this console knows (the server checks again). */
export async function checkSlot(m: EntityManager, slot: Slot, appointmentId: string): Promise<string> {
  const physician = (await staffById(m)).get(slot.physicianId);
  if (!physician || physician.role !== 'physician' || !physician.active) {
    throw new DomainError('validation_failed', 'Some fields need attention.', { physicianId: 'Choose a physician from the list.' });
  }
  const clash = await queryRows(m, 'appointment')
    .andWhere('r.id != :appointmentId', { appointmentId })
    .andWhere(`${status} = 'scheduled'`)
    .andWhere("json_extract(r.data, '$.physicianId') = :physicianId", { physicianId: slot.physicianId })
    .andWhere("json_extract(r.data, '$.start') < :end AND json_extract(r.data, '$.end') > :start", { start: slot.start, end: endOf(slot) })
    .getCount();
  if (clash > 0) {
    const message = `${physician.displayName} already has an appointment at that time. Choose another time.`;
    throw new DomainError('conflict', message, { start: message });
  }
  return physician.displayName;
}

export function endOf(slot: Slot): string {
  return new Date(Date.parse(slot.start) + slot.durationMinutes * 60_000).toISOString();
}

export function whenOf(a: AppointmentRecord): string {
  return a.start ?? a.requestedAt;
}

export function instantOrThrow(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new DomainError('validation_failed', 'Choose a valid date range.', { [field]: 'Choose a valid date.' });
  }
  return new Date(ms).toISOString();
}
