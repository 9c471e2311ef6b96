import { nextTick, ref } from 'vue';
import type { Ref } from 'vue';
import type { AppointmentView } from '../../../../shared/domain/appointment';
import { ApiError } from '../api/client';
import { i18n } from '../i18n';
import { describeError } from '../stores/resource';
import { useAppointmentsStore } from '../stores/appointments';

/**
 * Cancel, accept and decline on the Appointments page: one action at a time, its outcome said in
 * a status region (or an alert), and focus moved somewhere sensible when the item leaves its list.
 */
export function useAppointmentActions(focusAfter: Ref<HTMLElement | null>) {
  const store = useAppointmentsStore();
  const toCancel = ref<AppointmentView | null>(null);
  const busyId = ref<string | null>(null);
  const announcement = ref('');
  const actionError = ref('');

  async function run(appointment: AppointmentView, action: () => Promise<AppointmentView>, done: string): Promise<void> {
    if (busyId.value !== null) {
      return;
    }
    busyId.value = appointment.id;
    announcement.value = '';
    actionError.value = '';
    try {
      await action();
      announcement.value = done;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'not_signed_in')) {
        actionError.value = describeError(err);
      }
    } finally {
      busyId.value = null;
      toCancel.value = null;
    }
    await nextTick();
    focusAfter.value?.focus();
  }

  return {
    toCancel,
    busyId,
    announcement,
    actionError,
    askToCancel: (appointment: AppointmentView) => {
      toCancel.value = appointment;
    },
    keep: () => {
      toCancel.value = null;
    },
    confirmCancel: () => {
      const appointment = toCancel.value;
      return appointment
        ? run(appointment, () => store.cancelAppointment(appointment.id), i18n.global.t('appointments.cancelled'))
        : Promise.resolve();
    },
    accept: (appointment: AppointmentView) =>
      run(appointment, () => store.acceptProposedTime(appointment.id), i18n.global.t('appointments.accepted')),
    decline: (appointment: AppointmentView) =>
      run(appointment, () => store.declineProposedTime(appointment.id), i18n.global.t('appointments.declined')),
  };
}
