/** The patient's side of appointments: see, request, cancel, answer a proposed time. */
import { lockKey } from '../../../../shared/node/db';
import { In, IsNull } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import type { AppointmentsView, PhysicianOption } from '../../../../shared/api/patient';
import type { AppointmentView } from '../../../../shared/domain/appointment';
import { AppointmentEntity } from '../../../../shared/node/entities/clinical';
import type { AppointmentRow } from '../../../../shared/node/entities/clinical';
import { StaffUserEntity } from '../../../../shared/node/entities/server';
import { newId } from '../../../../shared/node/secrets';
import { appointmentRequestSchema } from '../../../../shared/validation/requests';
import { validateOrThrow } from '../../../../shared/validation/validate';
import type { PatientCall } from '../calls';
import { nowIso, patientWriter } from '../calls';
import { insertSynced, updateSynced } from '../sync/writeSynced';
import { assertSlotFree, requirePhysician } from './slots';
import { appointmentView, staffNames } from './views';

/** More open requests than this at once is almost certainly a mistake (or abuse). */
export const MAX_OPEN_REQUESTS = 5;
/** Declined requests stay among the "open" ones this long, so the patient sees the reason. */
const RECENT_DECLINE_MS = 30 * 86_400_000;

export async function listPhysicians(c: PatientCall): Promise<PhysicianOption[]> {
  const rows = await c.m.find(StaffUserEntity, { where: { clinicId: c.clinic.id, role: 'physician', active: true, deletedAt: IsNull() }, order: { displayName: 'ASC' } });
  return rows.map((r) => ({ id: r.id, displayName: r.displayName }));
}

export async function listAppointments(c: PatientCall): Promise<AppointmentsView> {
  const rows = await ownAppointments(c);
  return groupAppointments(c, rows, await staffNames(c.m, rows.map((r) => r.physicianId)));
}

/** All of the signed-in patient's appointments and requests (a handful, even after years). */
export function ownAppointments(c: PatientCall): Promise<AppointmentRow[]> {
  return c.m.find(AppointmentEntity, { where: { patientId: c.patient.id, clinicId: c.clinic.id, deletedAt: IsNull() } });
}

/** Upcoming, open and past, as the Appointments page shows them; `names` has the physicians' names. */
export function groupAppointments(c: PatientCall, rows: AppointmentRow[], names: Map<string, string>): AppointmentsView {
  const now = c.ctx.now();
  const views = rows.map((r) => appointmentView(r, names, c.clinic, now));
  const at = (v: AppointmentView): string => v.start ?? v.requestedAt;
  const nowIsoString = now.toISOString();
  const isUpcoming = (v: AppointmentView): boolean => v.status === 'scheduled' && (v.end ?? v.start ?? '') > nowIsoString;
  const isOpen = (v: AppointmentView): boolean =>
    v.status === 'requested' || v.status === 'proposed' || (v.status === 'declined' && now.getTime() - Date.parse(rows.find((r) => r.id === v.id)?.updatedAt ?? '') < RECENT_DECLINE_MS);
  return {
    upcoming: views.filter(isUpcoming).sort((a, b) => at(a).localeCompare(at(b))),
    open: views.filter((v) => !isUpcoming(v) && isOpen(v)).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt)),
    past: views.filter((v) => !isUpcoming(v) && !isOpen(v)).sort((a, b) => at(b).localeCompare(at(a))),
    cancelCutoffHours: c.clinic.appointmentCancelHours,
    timeZone: c.clinic.timeZone,
  };
}

export async function requestAppointment(c: PatientCall, body: unknown): Promise<AppointmentView> {
  const form = validateOrThrow(appointmentRequestSchema, body);
  if (form.preferredPhysicianId) {
    await requirePhysician(c.m, c.clinic.id, form.preferredPhysicianId, 'preferredPhysicianId');
  }
  // The count and the insert, one request at a time per patient (several instances too).
  await lockKey(c.m, `patient-requests:${c.patient.id}`);
  const open = await c.m.count(AppointmentEntity, { where: { patientId: c.patient.id, status: In(['requested', 'proposed']), deletedAt: IsNull() } });
  if (open >= MAX_OPEN_REQUESTS) {
    throw new DomainError('conflict', `You already have ${open} requests waiting for the clinic. Please wait for an answer, or call ${c.clinic.name} at ${c.clinic.phone}.`);
  }
  const now = nowIso(c);
  const row: AppointmentRow = {
    id: newId(),
    clinicId: c.clinic.id,
    patientId: c.patient.id,
    physicianId: null,
    preferredPhysicianId: form.preferredPhysicianId || null,
    reason: form.reason,
    preferredTimes: form.preferredTimes,
    startAt: null,
    endAt: null,
    status: 'requested',
    staffNote: null,
    cancelledBy: null,
    requestedAt: now,
    version: 1,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  await insertSynced(patientWriter(c), 'appointment', row, { action: 'appointment.request' });
  return appointmentView(row, new Map(), c.clinic, c.ctx.now());
}

/** Only the signed-in patient's own appointment; anyone else's is "not found", never "forbidden". */
async function findOwn(c: PatientCall, id: string): Promise<AppointmentRow> {
  const row = await c.m.findOneBy(AppointmentEntity, { id, patientId: c.patient.id, clinicId: c.clinic.id });
  if (!row || row.deletedAt) {
    throw new DomainError('not_found', 'We could not find that appointment.');
  }
  return row;
}

async function change(c: PatientCall, row: AppointmentRow, patch: Partial<AppointmentRow>, action: string): Promise<AppointmentView> {
  const updated = await updateSynced(patientWriter(c), 'appointment', row, patch, { action: `appointment.${action}` });
  return appointmentView(updated, await staffNames(c.m, [updated.physicianId]), c.clinic, c.ctx.now());
}

export async function cancelOwnAppointment(c: PatientCall, id: string): Promise<AppointmentView> {
  const row = await findOwn(c, id);
  if (row.status !== 'requested' && row.status !== 'proposed' && row.status !== 'scheduled') {
    throw new DomainError('conflict', 'This appointment is no longer open, so there is nothing to cancel.');
  }
  if (row.status === 'scheduled' && row.startAt && new Date(row.startAt).getTime() - c.ctx.now().getTime() < c.clinic.appointmentCancelHours * 3_600_000) {
    throw new DomainError(
      'conflict',
      `It is too late to cancel online: appointments can be cancelled up to ${c.clinic.appointmentCancelHours} hours before they start. Please call ${c.clinic.name} at ${c.clinic.phone}.`,
    );
  }
  return change(c, row, { status: 'cancelled', cancelledBy: 'patient' }, 'cancelled_by_patient');
}

/** Takes the time the clinic proposed; refused if that slot has been booked for someone else since. */
export async function acceptProposal(c: PatientCall, id: string): Promise<AppointmentView> {
  const row = await findOwn(c, id);
  if (row.status !== 'proposed' || !row.physicianId || !row.startAt || !row.endAt) {
    throw new DomainError('conflict', 'There is no proposed time to accept for this appointment.');
  }
  if (row.startAt <= nowIso(c)) {
    throw new DomainError('conflict', 'The proposed time has already passed. Decline it to ask the clinic for another time.');
  }
  const physician = await c.m.findOneByOrFail(StaffUserEntity, { id: row.physicianId });
  try {
    await assertSlotFree(c.m, c.clinic, { physician, startAt: row.startAt, endAt: row.endAt }, row.id);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'conflict') {
      throw new DomainError('conflict', 'Sorry, that time has just been booked for someone else. Decline the proposal to ask the clinic for another time.');
    }
    throw err;
  }
  return change(c, row, { status: 'scheduled' }, 'accepted');
}

/** Turns a proposal down: the request goes back to the desk, keeping the clinic's note. */
export async function declineProposal(c: PatientCall, id: string): Promise<AppointmentView> {
  const row = await findOwn(c, id);
  if (row.status !== 'proposed') {
    throw new DomainError('conflict', 'There is no proposed time to decline for this appointment.');
  }
  return change(c, row, { status: 'requested', physicianId: null, startAt: null, endAt: null }, 'proposal_declined');
}
