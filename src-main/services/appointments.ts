import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../shared/api/errors';
import type { AppointmentRecord, AppointmentStatus } from '../../shared/domain/appointment';
import { APPOINTMENT_STATUS_LABELS } from '../../shared/domain/appointment';
import type { AppointmentListItem } from '../../shared/ipc/contract';
import type { MutationArgs } from '../../shared/sync/protocol';
import { appointmentRequestSchema, appointmentSlotSchema, staffReasonSchema } from '../../shared/validation/requests';
import type { AppointmentSlotForm } from '../../shared/validation/requests';
import { validateOrThrow } from '../../shared/validation/validate';
import { patientName } from '../replica/records';
import { findStored, listStored, queryRows, rowKey, writeLocal } from '../replica/replicaRows';
import type { Stored } from '../replica/replicaRows';
import { checkSlot, endOf, instantOrThrow, proposalNoteSchema, whenOf } from './appointmentRules';
import type { Slot } from './appointmentRules';
import type { ReplicaDeps } from './deps';
import { baseVersionOf, foldableOn, nameOfPatient, requirePatientRow, shortDay, shortWhen, validateTogether, withPatient } from './rowSupport';
import { staffById } from '../replica/replicaRows';

const status = "json_extract(r.data, '$.status')";
const desk = { reason: appointmentRequestSchema.pick(['reason']) };

/** The desk's side of appointments: the request queue, the schedule, and every answer to a request. */
export class AppointmentService {
  constructor(private readonly deps: ReplicaDeps) {}

  /** Requests and proposals waiting, oldest first. */
  async queue(): Promise<AppointmentListItem[]> {
    await this.deps.session.requireSignedIn();
    return this.deps.db.read(async (m) => {
      const qb = queryRows(m, 'appointment').andWhere(`${status} IN ('requested', 'proposed')`).orderBy("json_extract(r.data, '$.requestedAt')", 'ASC');
      return this.items(m, await listStored<'appointment'>(qb));
    });
  }

  /** Booked (and completed) visits starting in [from, to), by start time. */
  async schedule(args: { from: string; to: string; physicianId: string | null }): Promise<AppointmentListItem[]> {
    await this.deps.session.requireSignedIn();
    const from = instantOrThrow(args.from, 'from');
    const to = instantOrThrow(args.to, 'to');
    return this.deps.db.read(async (m) => {
      const qb = queryRows(m, 'appointment')
        .andWhere(`${status} IN ('scheduled', 'completed')`)
        .andWhere("json_extract(r.data, '$.start') >= :from AND json_extract(r.data, '$.start') < :to", { from, to })
        .orderBy("json_extract(r.data, '$.start')", 'ASC');
      if (args.physicianId) {
        qb.andWhere("json_extract(r.data, '$.physicianId') = :physicianId", { physicianId: args.physicianId });
      }
      return this.items(m, await listStored<'appointment'>(qb));
    });
  }

  /** All of one patient's appointments, latest first. */
  async forPatient(patientId: string): Promise<AppointmentListItem[]> {
    await this.deps.session.requireSignedIn();
    return this.deps.db.read(async (m) => {
      const rows = await listStored<'appointment'>(queryRows(m, 'appointment').andWhere('r.patientId = :patientId', { patientId }));
      rows.sort((a, b) => whenOf(b.record).localeCompare(whenOf(a.record)));
      return this.items(m, rows);
    });
  }

  /** The desk books a visit directly; it shows as scheduled, waiting to send, at once. */
  async create(args: AppointmentSlotForm & { patientId: string; reason: string }): Promise<AppointmentListItem> {
    const { staff, clinic } = await this.deps.session.requireSignedIn();
    const [{ reason }, slot] = validateTogether(
      () => validateOrThrow(desk.reason, args),
      () => this.validSlot(args),
    );
    const now = this.deps.now();
    const id = randomUUID();
    return this.change(async (m) => {
      const patient = await requirePatientRow(m, args.patientId);
      const physician = await checkSlot(m, slot, id);
      const record: AppointmentRecord = {
        id,
        patientId: patient.id,
        physicianId: slot.physicianId,
        preferredPhysicianId: null,
        reason,
        preferredTimes: '',
        start: slot.start,
        end: endOf(slot),
        status: 'scheduled',
        staffNote: null,
        cancelledBy: null,
        requestedAt: now.toISOString(),
        version: 0,
        updatedAt: now.toISOString(),
      };
      await writeLocal(m, 'appointment', record, null);
      await this.deps.outbox.append(m, {
        name: 'createAppointment',
        args: { appointmentId: id, patientId: patient.id, ...slot, reason },
        staffUserId: staff.id,
        description: `Book ${patientName(patient)} with ${physician} on ${shortWhen(slot.start, clinic.timeZone)}`,
        patientId: patient.id,
        invitationId: null,
        rows: [rowKey('appointment', id)],
        now,
      });
      return id;
    });
  }

  /** Books a requested or proposed appointment, or moves a booked one. */
  async book(args: AppointmentSlotForm & { appointmentId: string }): Promise<AppointmentListItem> {
    const { staff, clinic } = await this.deps.session.requireSignedIn();
    const slot = this.validSlot(args);
    const now = this.deps.now();
    return this.change(async (m) => {
      const current = await this.requireAppointment(m, args.appointmentId, ['requested', 'proposed', 'scheduled'], 'booked');
      const physician = await checkSlot(m, slot, current.record.id);
      const key = rowKey('appointment', current.record.id);
      const description = `Schedule ${await nameOfPatient(m, current.record.patientId)} with ${physician} on ${shortWhen(slot.start, clinic.timeZone)}`;
      await this.show(m, current, { status: 'scheduled', physicianId: slot.physicianId, start: slot.start, end: endOf(slot), cancelledBy: null }, now);
      const pending = await foldableOn(m, this.deps, key, 'createAppointment', 'scheduleAppointment');
      if (pending?.name === 'createAppointment') {
        const created = pending.args as MutationArgs['createAppointment'];
        await this.deps.outbox.rewrite(m, pending.seq, { ...created, ...slot }, { description: description.replace(/^Schedule/, 'Book') });
      } else if (pending) {
        await this.deps.outbox.rewrite(m, pending.seq, { ...(pending.args as MutationArgs['scheduleAppointment']), ...slot }, { description });
      } else {
        const baseVersion = baseVersionOf(current.row);
        await this.append(m, staff.id, current, 'scheduleAppointment', { appointmentId: current.record.id, ...slot, baseVersion }, description, now);
      }
      return current.record.id;
    });
  }

  /** Offers the patient another time; they accept or decline it in the portal. */
  async propose(args: AppointmentSlotForm & { appointmentId: string; note: string }): Promise<AppointmentListItem> {
    const { staff, clinic } = await this.deps.session.requireSignedIn();
    const [slot, { note }] = validateTogether(
      () => this.validSlot(args),
      () => validateOrThrow(proposalNoteSchema, args),
    );
    const now = this.deps.now();
    return this.change(async (m) => {
      const current = await this.requireAppointment(m, args.appointmentId, ['requested', 'proposed'], 'offered a new time');
      const physician = await checkSlot(m, slot, current.record.id);
      const description = `Propose ${shortWhen(slot.start, clinic.timeZone)} with ${physician} to ${await nameOfPatient(m, current.record.patientId)}`;
      await this.show(m, current, { status: 'proposed', physicianId: slot.physicianId, start: slot.start, end: endOf(slot), staffNote: note || null }, now);
      const pending = await foldableOn(m, this.deps, rowKey('appointment', current.record.id), 'proposeAppointment');
      if (pending) {
        await this.deps.outbox.rewrite(m, pending.seq, { ...pending.args, ...slot, note }, { description });
      } else {
        const baseVersion = baseVersionOf(current.row);
        await this.append(m, staff.id, current, 'proposeAppointment', { appointmentId: current.record.id, ...slot, note, baseVersion }, description, now);
      }
      return current.record.id;
    });
  }

  /** Says no to a request, with a reason the patient sees. */
  async decline(appointmentId: string, reasonText: string): Promise<AppointmentListItem> {
    const { staff } = await this.deps.session.requireSignedIn();
    const { reason } = validateOrThrow(staffReasonSchema, { reason: reasonText });
    const now = this.deps.now();
    return this.change(async (m) => {
      const current = await this.requireAppointment(m, appointmentId, ['requested', 'proposed'], 'declined');
      const baseVersion = baseVersionOf(current.row);
      await this.show(m, current, { status: 'declined', staffNote: reason }, now);
      const description = `Decline ${await nameOfPatient(m, current.record.patientId)}'s appointment request`;
      await this.append(m, staff.id, current, 'declineAppointment', { appointmentId, reason, baseVersion }, description, now);
      return appointmentId;
    });
  }

  /** Cancels a request, proposal or booked visit, with a reason the patient sees. */
  async cancel(appointmentId: string, reasonText: string): Promise<AppointmentListItem> {
    const { staff, clinic } = await this.deps.session.requireSignedIn();
    const { reason } = validateOrThrow(staffReasonSchema, { reason: reasonText });
    const now = this.deps.now();
    return this.change(async (m) => {
      const current = await this.requireAppointment(m, appointmentId, ['requested', 'proposed', 'scheduled'], 'cancelled');
      const baseVersion = baseVersionOf(current.row);
      await this.show(m, current, { status: 'cancelled', staffNote: reason, cancelledBy: 'staff' }, now);
      const description = `Cancel ${await nameOfPatient(m, current.record.patientId)}'s appointment on ${shortWhen(current.record.start, clinic.timeZone)}`;
      await this.append(m, staff.id, current, 'cancelAppointment', { appointmentId, reason, baseVersion }, description, now);
      return appointmentId;
    });
  }

  async complete(appointmentId: string): Promise<AppointmentListItem> {
    const { staff, clinic } = await this.deps.session.requireSignedIn();
    const now = this.deps.now();
    return this.change(async (m) => {
      const current = await this.requireAppointment(m, appointmentId, ['scheduled'], 'completed');
      if (!current.record.start || current.record.start > now.toISOString()) {
        throw new DomainError('conflict', 'This appointment has not started yet, so it cannot be completed. Cancel it instead if it will not take place.');
      }
      const baseVersion = baseVersionOf(current.row);
      await this.show(m, current, { status: 'completed' }, now);
      const description = `Mark ${await nameOfPatient(m, current.record.patientId)}'s appointment on ${shortDay(current.record.start, clinic.timeZone)} completed`;
      await this.append(m, staff.id, current, 'completeAppointment', { appointmentId, baseVersion }, description, now);
      return appointmentId;
    });
  }

  /** One write: the local row and its outbox entry; then the row as the list shows it. */
  private async change(write: (m: EntityManager) => Promise<string>): Promise<AppointmentListItem> {
    const item = await this.deps.db.write(async (m) => {
      const id = await write(m);
      const stored = await findStored(m, 'appointment', id);
      const [first] = await this.items(m, stored ? [stored] : []);
      if (!first) {
        throw new DomainError('not_found', 'That appointment is not on this computer.');
      }
      return first;
    });
    this.deps.onLocalWrite(['appointment']);
    return item;
  }

  private async requireAppointment(m: EntityManager, id: string, allowed: AppointmentStatus[], action: string): Promise<Stored<'appointment'>> {
    const stored = await findStored(m, 'appointment', id);
    if (!stored) {
      throw new DomainError('not_found', 'That appointment is not on this computer. Reload the list.');
    }
    if (!allowed.includes(stored.record.status)) {
      const label = APPOINTMENT_STATUS_LABELS[stored.record.status].toLowerCase();
      throw new DomainError('conflict', `This appointment is ${label}, so it cannot be ${action} now. Reload the list.`);
    }
    return stored;
  }

  /** The shared slot rules, and a start in the future (as the server requires). */
  private validSlot(args: AppointmentSlotForm): Slot {
    const valid = validateOrThrow(appointmentSlotSchema, { physicianId: args.physicianId, start: args.start, durationMinutes: args.durationMinutes });
    const start = new Date(valid.start);
    if (start.getTime() <= this.deps.now().getTime()) {
      throw new DomainError('validation_failed', 'Choose a start time in the future.', { start: 'Choose a start time in the future.' });
    }
    return { physicianId: valid.physicianId, start: start.toISOString(), durationMinutes: valid.durationMinutes };
  }

  private async show(m: EntityManager, current: Stored<'appointment'>, changes: Partial<AppointmentRecord>, now: Date): Promise<void> {
    await writeLocal(m, 'appointment', { ...current.record, ...changes, updatedAt: now.toISOString() }, current.row);
  }

  private async append<N extends 'scheduleAppointment' | 'proposeAppointment' | 'declineAppointment' | 'cancelAppointment' | 'completeAppointment'>(
    m: EntityManager,
    staffUserId: string,
    current: Stored<'appointment'>,
    name: N,
    args: MutationArgs[N],
    description: string,
    now: Date,
  ): Promise<void> {
    const patientId = current.record.patientId;
    await this.deps.outbox.append(m, { name, args, staffUserId, description, patientId, invitationId: null, rows: [rowKey('appointment', current.record.id)], now });
  }

  private async items(m: EntityManager, rows: Stored<'appointment'>[]): Promise<AppointmentListItem[]> {
    const staff = await staffById(m);
    const items = await withPatient(m, this.deps, rows);
    return items.map((item) => ({ ...item, physicianName: item.row.physicianId ? (staff.get(item.row.physicianId)?.displayName ?? null) : null }));
  }
}
