import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AppointmentListItem } from '../../../shared/ipc/contract';
import type { AppointmentSlotForm } from '../../../shared/validation/requests';
import type { DateOnly } from '../../../shared/time/dateOnly';
import { call } from '../api';
import { createQuery } from './query';

export type ScheduleSpan = 'day' | 'week';

/** Statuses the request queue holds: waiting for the desk, or for the patient's answer. */
const QUEUED = new Set(['requested', 'proposed']);

/**
 * Appointment requests, the schedule and one patient's appointments. The main process writes
 * the replica first and answers at once; an answer is put in place in every list that shows the
 * row, and the reload that follows 'data.changed' confirms it (or shows the rollback).
 */
export const useAppointmentsStore = defineStore('appointments', () => {
  const queue = createQuery(() => call('appointments.queue'));
  const schedule = createQuery((args: { from: string; to: string; physicianId: string | null }) => call('appointments.schedule', args));
  const forPatient = createQuery((args: { patientId: string }) => call('appointments.forPatient', args));

  // Where the schedule was left, so going back to it shows the same days.
  const scheduleSpan = ref<ScheduleSpan>('day');
  const scheduleDate = ref<DateOnly | null>(null);
  const schedulePhysicianId = ref<string>('');

  function remember(item: AppointmentListItem): AppointmentListItem {
    const replace = (rows: AppointmentListItem[]) => rows.map((row) => (row.row.id === item.row.id ? item : row));
    queue.update((rows) => (QUEUED.has(item.row.status) ? replace(rows) : rows.filter((row) => row.row.id !== item.row.id)));
    schedule.update(replace);
    // A new appointment joins the lists with the reload that follows its local write.
    forPatient.update(replace);
    return item;
  }

  /** A failed action may have left a list showing an assumption: read everything on screen again. */
  async function act(action: () => Promise<AppointmentListItem>): Promise<AppointmentListItem> {
    try {
      return remember(await action());
    } catch (error) {
      queue.refresh();
      schedule.refresh();
      forPatient.refresh();
      throw error;
    }
  }

  function book(appointmentId: string, slot: AppointmentSlotForm): Promise<AppointmentListItem> {
    return act(() => call('appointments.schedule.book', { ...slot, appointmentId }));
  }

  function propose(appointmentId: string, slot: AppointmentSlotForm, note: string): Promise<AppointmentListItem> {
    return act(() => call('appointments.propose', { ...slot, appointmentId, note }));
  }

  function decline(appointmentId: string, reason: string): Promise<AppointmentListItem> {
    return act(() => call('appointments.decline', { appointmentId, reason }));
  }

  function cancel(appointmentId: string, reason: string): Promise<AppointmentListItem> {
    return act(() => call('appointments.cancel', { appointmentId, reason }));
  }

  function complete(appointmentId: string): Promise<AppointmentListItem> {
    return act(() => call('appointments.complete', { appointmentId }));
  }

  /** The desk books a visit directly from the patient's page. */
  function create(patientId: string, reason: string, slot: AppointmentSlotForm): Promise<AppointmentListItem> {
    return act(() => call('appointments.create', { ...slot, patientId, reason }));
  }


  /** Signing out: nothing read for one person stays for the next. */
  function forget(): void {
    queue.reset();
    schedule.reset();
    forPatient.reset();
    scheduleSpan.value = 'day';
    scheduleDate.value = null;
    schedulePhysicianId.value = '';
  }

  return { queue, schedule, forPatient, scheduleSpan, scheduleDate, schedulePhysicianId, book, propose, decline, cancel, complete, create, forget };
});
