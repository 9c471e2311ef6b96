/** The desk's appointment intents, arriving as sync mutations; each runs in the push's transaction. */
import { DomainError } from '../../../../shared/api/errors';
import { APPOINTMENT_STATUS_LABELS } from '../../../../shared/domain/appointment';
import type { AppointmentStatus } from '../../../../shared/domain/appointment';
import { AppointmentEntity } from '../../../../shared/node/entities/clinical';
import type { AppointmentRow } from '../../../../shared/node/entities/clinical';
import { PatientEntity } from '../../../../shared/node/entities/server';
import type { MutationArgs } from '../../../../shared/sync/protocol';
import { validateOrThrow } from '../../../../shared/validation/validate';
import type { StaffCall } from '../calls';
import { DESK_ROLES, assertBaseVersion, nowIso, requireStaffRole, staffWriter } from '../calls';
import { insertSynced, updateSynced } from '../sync/writeSynced';
import { notifyPatient } from '../mail/notify';
import {
  cancelAppointmentArgs,
  completeAppointmentArgs,
  createAppointmentArgs,
  declineAppointmentArgs,
  proposeAppointmentArgs,
  scheduleAppointmentArgs,
} from './schemas';
import { assertSlotFree, slotOf } from './slots';

const CHANGED_MEANWHILE = 'The patient or another desk changed this appointment meanwhile. Open it again to see where it stands, then try again if it still needs doing.';

async function findAppointment(c: StaffCall, id: string): Promise<AppointmentRow> {
  const row = await c.m.findOneBy(AppointmentEntity, { id, clinicId: c.clinic.id });
  if (!row || row.deletedAt) {
    throw new DomainError('not_found', 'That appointment does not exist on the server.');
  }
  return row;
}

/** Version check first (someone else changed it), then whether the change fits its status. */
async function openFor(c: StaffCall, id: string, baseVersion: number, allowed: readonly AppointmentStatus[], action: string): Promise<AppointmentRow> {
  const row = await findAppointment(c, id);
  await assertBaseVersion(c, 'appointment', row, baseVersion, CHANGED_MEANWHILE);
  if (!allowed.includes(row.status)) {
    throw new DomainError('conflict', `This appointment is ${APPOINTMENT_STATUS_LABELS[row.status].toLowerCase()}, so it cannot be ${action} any more.`);
  }
  return row;
}

async function change(c: StaffCall, row: AppointmentRow, patch: Partial<AppointmentRow>, notify: boolean): Promise<void> {
  await updateSynced(staffWriter(c), 'appointment', row, patch, { action: `appointment.${patch.status ?? 'update'}` });
  if (notify) {
    await notifyPatient(c, row.patientId, 'appointmentUpdate', { kind: 'appointments' });
  }
}

export async function createAppointment(c: StaffCall, input: MutationArgs['createAppointment']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'book appointments');
  const args = validateOrThrow(createAppointmentArgs, input);
  if (await c.m.findOneBy(AppointmentEntity, { id: args.appointmentId })) {
    throw new DomainError('conflict', 'An appointment with this id already exists.');
  }
  const patient = await c.m.findOneBy(PatientEntity, { id: args.patientId, clinicId: c.clinic.id });
  if (!patient || patient.deletedAt) {
    throw new DomainError('not_found', 'That patient does not exist on the server.');
  }
  const slot = await slotOf(c.m, c.clinic, c.ctx.now(), args);
  await assertSlotFree(c.m, c.clinic, slot, args.appointmentId);
  const now = nowIso(c);
  const row: AppointmentRow = {
    id: args.appointmentId,
    clinicId: c.clinic.id,
    patientId: patient.id,
    physicianId: slot.physician.id,
    preferredPhysicianId: null,
    reason: args.reason,
    preferredTimes: '',
    startAt: slot.startAt,
    endAt: slot.endAt,
    status: 'scheduled',
    staffNote: null,
    cancelledBy: null,
    requestedAt: now,
    version: 1,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  await insertSynced(staffWriter(c), 'appointment', row, { action: 'appointment.create' });
  await notifyPatient(c, patient.id, 'appointmentUpdate', { kind: 'appointments' });
}

/** Books a request (or proposal) — or moves a booked one — into a physician's free slot. */
export async function scheduleAppointment(c: StaffCall, input: MutationArgs['scheduleAppointment']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'schedule appointments');
  const args = validateOrThrow(scheduleAppointmentArgs, input);
  const row = await openFor(c, args.appointmentId, args.baseVersion, ['requested', 'proposed', 'scheduled'], 'scheduled');
  const slot = await slotOf(c.m, c.clinic, c.ctx.now(), args);
  await assertSlotFree(c.m, c.clinic, slot, row.id);
  await change(c, row, { status: 'scheduled', physicianId: slot.physician.id, startAt: slot.startAt, endAt: slot.endAt, cancelledBy: null }, true);
}

/** Offers the patient another time; the patient accepts or declines it in the portal. */
export async function proposeAppointment(c: StaffCall, input: MutationArgs['proposeAppointment']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'propose appointment times');
  const args = validateOrThrow(proposeAppointmentArgs, input);
  const row = await openFor(c, args.appointmentId, args.baseVersion, ['requested', 'proposed'], 'offered a new time');
  const slot = await slotOf(c.m, c.clinic, c.ctx.now(), args);
  // Offering a slot that is already taken would only disappoint the patient.
  await assertSlotFree(c.m, c.clinic, slot, row.id);
  await change(c, row, { status: 'proposed', physicianId: slot.physician.id, startAt: slot.startAt, endAt: slot.endAt, staffNote: args.note || null }, true);
}

export async function declineAppointment(c: StaffCall, input: MutationArgs['declineAppointment']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'decline appointment requests');
  const args = validateOrThrow(declineAppointmentArgs, input);
  const row = await openFor(c, args.appointmentId, args.baseVersion, ['requested', 'proposed'], 'declined');
  await change(c, row, { status: 'declined', staffNote: args.reason }, true);
}

export async function cancelAppointment(c: StaffCall, input: MutationArgs['cancelAppointment']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'cancel appointments');
  const args = validateOrThrow(cancelAppointmentArgs, input);
  const row = await openFor(c, args.appointmentId, args.baseVersion, ['requested', 'proposed', 'scheduled'], 'cancelled');
  await change(c, row, { status: 'cancelled', cancelledBy: 'staff', staffNote: args.reason }, true);
}

/** Marks a visit that has started as completed; the patient gets no mail for it (nothing to act on). */
export async function completeAppointment(c: StaffCall, input: MutationArgs['completeAppointment']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'complete appointments');
  const args = validateOrThrow(completeAppointmentArgs, input);
  const row = await openFor(c, args.appointmentId, args.baseVersion, ['scheduled'], 'completed');
  if (!row.startAt || row.startAt > nowIso(c)) {
    throw new DomainError('conflict', 'This appointment has not started yet, so it cannot be completed. Cancel it instead if it will not take place.');
  }
  await change(c, row, { status: 'completed' }, false);
}
