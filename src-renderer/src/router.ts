import { nextTick } from 'vue';
import { createRouter, createWebHashHistory } from 'vue-router';
import { useAppStore } from './stores/app';
import AppointmentRequestsView from './views/appointments/AppointmentRequestsView.vue';
import ScheduleView from './views/appointments/ScheduleView.vue';
import InboxView from './views/messages/InboxView.vue';
import ThreadView from './views/messages/ThreadView.vue';
import PatientDetailView from './views/patients/PatientDetailView.vue';
import InvitationWorklistView from './views/patients/InvitationWorklistView.vue';
import PatientListView from './views/patients/PatientListView.vue';
import PatientNewView from './views/patients/PatientNewView.vue';
import RenewalsView from './views/renewals/RenewalsView.vue';
import OwnSignInView from './views/security/OwnSignInView.vue';
import AuditLogView from './views/security/AuditLogView.vue';
import DevicesView from './views/security/DevicesView.vue';
import ClinicSettingsView from './views/settings/ClinicSettingsView.vue';
import PortalServerView from './views/settings/PortalServerView.vue';
import StaffView from './views/staff/StaffView.vue';

/** Hash history: the console loads from file://, where a path-based address cannot be served. */
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/patients' },
    { path: '/patients', name: 'patients', component: PatientListView, meta: { title: 'Patients' } },
    { path: '/patients/new', name: 'patient-new', component: PatientNewView, meta: { title: 'Pre-register patient' } },
    { path: '/patients/:id', name: 'patient', component: PatientDetailView, props: true, meta: { title: 'Patient' } },
    { path: '/invitations', name: 'invitations', component: InvitationWorklistView, meta: { title: 'Invitations needing attention' } },
    { path: '/appointments', name: 'appointments', component: AppointmentRequestsView, meta: { title: 'Appointment requests' } },
    { path: '/appointments/schedule', name: 'schedule', component: ScheduleView, meta: { title: 'Schedule' } },
    { path: '/renewals', name: 'renewals', component: RenewalsView, meta: { title: 'Prescription renewals' } },
    { path: '/messages', name: 'messages', component: InboxView, meta: { title: 'Messages' } },
    { path: '/messages/:id', name: 'thread', component: ThreadView, props: true, meta: { title: 'Message thread' } },
    { path: '/staff', name: 'staff', component: StaffView, meta: { adminOnly: true, title: 'Staff' } },
    { path: '/settings', name: 'settings', component: ClinicSettingsView, meta: { adminOnly: true, title: 'Clinic settings' } },
    { path: '/portal-server', name: 'portal-server', component: PortalServerView, meta: { adminOnly: true, title: 'Portal server' } },
    { path: '/devices', name: 'devices', component: DevicesView, meta: { adminOnly: true, title: 'Devices' } },
    { path: '/audit', name: 'audit', component: AuditLogView, meta: { adminOnly: true, title: 'Audit log' } },
    { path: '/my-sign-in', name: 'my-sign-in', component: OwnSignInView, meta: { title: 'Your sign-in' } },
    { path: '/:pathMatch(.*)*', redirect: '/patients' },
  ],
});

router.beforeEach((to) => {
  const app = useAppStore();
  // Before the first status arrives (a reload) nothing is shown yet; ConsoleShell checks the role
  // once it knows who is signed in, so an admin reloading an admin screen stays on it.
  if (to.meta.adminOnly === true && app.status !== null && !app.isAdmin) {
    return { path: '/patients' };
  }
  return true;
});

// After moving to another screen, put keyboard and screen-reader focus on its heading.
// The window's title follows the screen in App.vue.
router.afterEach((_to, from) => {
  if (from.matched.length === 0) {
    return;
  }
  void nextTick(() => {
    document.querySelector<HTMLElement>('#main h1')?.focus();
  });
});
