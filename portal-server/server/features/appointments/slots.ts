import type { EntityManager } from 'typeorm';
import { IsNull, LessThan, MoreThan, Not } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import { lockKey } from '../../../../shared/node/db';
import { AppointmentEntity } from '../../../../shared/node/entities/clinical';
import type { AppointmentRow } from '../../../../shared/node/entities/clinical';
import { StaffUserEntity } from '../../../../shared/node/entities/server';
import type { ClinicRow, StaffUserRow } from '../../../../shared/node/entities/server';
import { formatInstant } from '../../../../shared/time/instant';

export interface Slot {
  physician: StaffUserRow;
  startAt: string;
  endAt: string;
}

/** An active physician of this clinic, or a field error naming the physician field. */
export async function requirePhysician(m: EntityManager, clinicId: string, id: string, field = 'physicianId'): Promise<StaffUserRow> {
  const physician = await m.findOneBy(StaffUserEntity, { id, clinicId });
  if (!physician || physician.role !== 'physician' || !physician.active || physician.deletedAt) {
    throw new DomainError('validation_failed', 'Choose an active physician of the clinic.', { [field]: 'Choose a physician from the list.' });
  }
  return physician;
}

/** A validated slot: a physician, and a start in the future with its end. */
export async function slotOf(m: EntityManager, clinic: ClinicRow, now: Date, args: { physicianId: string; start: string; durationMinutes: number }): Promise<Slot> {
  const physician = await requirePhysician(m, clinic.id, args.physicianId);
  const start = new Date(args.start);
  if (start.getTime() <= now.getTime()) {
    throw new DomainError('validation_failed', 'Choose a start time in the future.', { start: 'Choose a start time in the future.' });
  }
  return { physician, startAt: start.toISOString(), endAt: new Date(start.getTime() + args.durationMinutes * 60_000).toISOString() };
}

/**
 * Refuses a slot that overlaps another scheduled appointment of the same physician. Callers run it
 * inside their write transaction, which then holds the physician's booking lock until it commits:
 * two desks booking the same slot at once — through one instance or two — cannot both succeed.
 * (Times are text and durations vary, so no unique key can say "overlaps"; on SQLite the write lock
 * serialises every booking, on PostgreSQL the lock is pg_advisory_xact_lock per physician.)
 */
export async function assertSlotFree(m: EntityManager, clinic: ClinicRow, slot: Slot, exceptId: string): Promise<void> {
  await lockKey(m, `bookings:${slot.physician.id}`);
  const clash = await m.findOne(AppointmentEntity, {
    where: {
      clinicId: clinic.id,
      physicianId: slot.physician.id,
      status: 'scheduled',
      startAt: LessThan(slot.endAt),
      endAt: MoreThan(slot.startAt),
      id: Not(exceptId),
      deletedAt: IsNull(),
    },
    order: { startAt: 'ASC' },
  });
  if (clash) {
    throw new DomainError(
      'conflict',
      `${slot.physician.displayName} already has an appointment at that time (${describeSlot(clash, clinic.timeZone)}). Choose another time or another physician.`,
      { start: 'This time is already booked for the physician. Choose another time.' },
    );
  }
}

export function describeSlot(a: Pick<AppointmentRow, 'startAt' | 'endAt'>, timeZone: string): string {
  if (!a.startAt) {
    return 'no time set';
  }
  const end = a.endAt ? new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit' }).format(new Date(a.endAt)) : '';
  return end ? `${formatInstant(a.startAt, timeZone)} to ${end}` : formatInstant(a.startAt, timeZone);
}
