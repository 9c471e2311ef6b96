import { nextTick } from 'vue';
import { createRouter, createWebHashHistory } from 'vue-router';
import { useAppStore } from './stores/app';
import PatientDetailView from './views/patients/PatientDetailView.vue';
import PatientListView from './views/patients/PatientListView.vue';
import PatientNewView from './views/patients/PatientNewView.vue';
import StaffView from './views/staff/StaffView.vue';

/** Hash history: the console loads from file://, where a path-based address cannot be served. */
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/patients' },
    { path: '/patients', name: 'patients', component: PatientListView, meta: { title: 'Patients' } },
    { path: '/patients/new', name: 'patient-new', component: PatientNewView, meta: { title: 'Pre-register patient' } },
    { path: '/patients/:id', name: 'patient', component: PatientDetailView, props: true, meta: { title: 'Patient' } },
    { path: '/staff', name: 'staff', component: StaffView, meta: { adminOnly: true, title: 'Staff' } },
    { path: '/:pathMatch(.*)*', redirect: '/patients' },
  ],
});

router.beforeEach((to) => {
  if (to.meta.adminOnly === true && !useAppStore().isAdmin) {
    return { path: '/patients' };
  }
  return true;
});

// After moving to another screen, put keyboard and screen-reader focus on its heading.
router.afterEach((to, from) => {
  document.title = typeof to.meta.title === 'string' ? `${to.meta.title} – Clinic Console` : 'Clinic Console';
  if (from.matched.length === 0) {
    return;
  }
  void nextTick(() => {
    document.querySelector<HTMLElement>('#main h1')?.focus();
  });
});
