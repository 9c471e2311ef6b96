import { defineStore } from 'pinia';
import type { AppointmentsView, PhysicianOption } from '../../../../shared/api/patient';
import type { AppointmentView } from '../../../../shared/domain/appointment';
import type { AppointmentRequestForm } from '../../../../shared/validation/requests';
import { api } from '../api/client';
import { createResource } from './resource';

const byStart = (a: AppointmentView, b: AppointmentView): number => (a.start ?? '').localeCompare(b.start ?? '');

/** Puts an appointment the server just answered with into the list it now belongs to. */
function place(view: AppointmentsView, changed: AppointmentView): AppointmentsView {
  const others = (list: AppointmentView[]) => list.filter((a) => a.id !== changed.id);
  const next = { ...view, upcoming: others(view.upcoming), past: others(view.past), open: others(view.open) };
  switch (changed.status) {
    case 'requested':
    case 'proposed':
    case 'declined':
      next.open = [changed, ...next.open];
      break;
    case 'scheduled':
      next.upcoming = [...next.upcoming, changed].sort(byStart);
      break;
    case 'cancelled':
    case 'completed':
      next.past = [changed, ...next.past];
      break;
  }
  return next;
}

export const useAppointmentsStore = defineStore('appointments', () => {
  const appointments = createResource(() => api.get<AppointmentsView>('/api/appointments'));
  const physicians = createResource(() => api.get<PhysicianOption[]>('/api/physicians'));

  /** Shows the server's answer at once, then reloads so every list is the server's truth. */
  function adopt(changed: AppointmentView): AppointmentView {
    if (appointments.data.value) {
      appointments.set(place(appointments.data.value, changed));
    }
    void appointments.load();
    return changed;
  }

  async function requestAppointment(form: AppointmentRequestForm): Promise<AppointmentView> {
    return adopt(await api.post<AppointmentView>('/api/appointments', form));
  }

  async function answer(id: string, action: 'cancel' | 'accept' | 'decline'): Promise<AppointmentView> {
    return adopt(await api.post<AppointmentView>(`/api/appointments/${encodeURIComponent(id)}/${action}`, {}));
  }

  return {
    appointments: appointments.data,
    appointmentsState: appointments.state,
    appointmentsError: appointments.error,
    loadAppointments: appointments.load,
    physicians: physicians.data,
    physiciansState: physicians.state,
    loadPhysicians: physicians.load,
    requestAppointment,
    cancelAppointment: (id: string) => answer(id, 'cancel'),
    acceptProposedTime: (id: string) => answer(id, 'accept'),
    declineProposedTime: (id: string) => answer(id, 'decline'),
  };
});
