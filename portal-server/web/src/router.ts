import { createRouter, createWebHistory } from 'vue-router';
import type { Router } from 'vue-router';
import { onSessionExpired } from './api/client';
import { safeReturnPath } from '../../../shared/domain/returnPath';
import { useSessionStore } from './stores/session';
import AccountView from './views/AccountView.vue';
import AppointmentsView from './views/AppointmentsView.vue';
import HomeView from './views/HomeView.vue';
import MessageThreadView from './views/MessageThreadView.vue';
import MessagesView from './views/MessagesView.vue';
import RecordView from './views/RecordView.vue';
import RecoverView from './views/RecoverView.vue';
import RegisterView from './views/RegisterView.vue';
import RenewalsView from './views/RenewalsView.vue';
import ResetPasswordView from './views/ResetPasswordView.vue';
import SignInView from './views/SignInView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    /** The page's name in the browser tab, before the clinic's name: a message key (locales/*.json). */
    title: string;
    requiresSession?: boolean;
  }
}

/**
 * Created by main.ts after the registration token has left the address: createWebHistory reads
 * the address when it is called and would write the token back on the first navigation.
 */
export function createPortalRouter(): Router {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/', name: 'home', component: HomeView, meta: { title: 'titles.home', requiresSession: true } },
      { path: '/record', name: 'record', component: RecordView, meta: { title: 'titles.record', requiresSession: true } },
      {
        path: '/appointments',
        name: 'appointments',
        component: AppointmentsView,
        meta: { title: 'titles.appointments', requiresSession: true },
      },
      {
        path: '/renewals',
        name: 'renewals',
        component: RenewalsView,
        meta: { title: 'titles.renewals', requiresSession: true },
      },
      { path: '/messages', name: 'messages', component: MessagesView, meta: { title: 'titles.messages', requiresSession: true } },
      {
        path: '/messages/:id',
        name: 'message-thread',
        component: MessageThreadView,
        props: true,
        meta: { title: 'titles.message', requiresSession: true },
      },
      { path: '/account', name: 'account', component: AccountView, meta: { title: 'titles.account', requiresSession: true } },
      {
        path: '/recover/password',
        name: 'recover-password',
        component: RecoverView,
        props: { kind: 'password' },
        meta: { title: 'titles.forgotPassword' },
      },
      {
        path: '/recover/username',
        name: 'recover-username',
        component: RecoverView,
        props: { kind: 'username' },
        meta: { title: 'titles.forgotUsername' },
      },
      { path: '/register', name: 'register', component: RegisterView, meta: { title: 'titles.register' } },
      // Without the emailed link (a letter, or a lost email): the same form; the Registration ID finds the invitation.
      { path: '/register-with-id', name: 'register-with-id', component: RegisterView, props: { withRegistrationId: true }, meta: { title: 'titles.register' } },
      { path: '/sign-in', name: 'sign-in', component: SignInView, meta: { title: 'titles.signIn' } },
      { path: '/reset-password', name: 'reset-password', component: ResetPasswordView, meta: { title: 'titles.resetPassword' } },
      { path: '/:unknown(.*)*', redirect: { name: 'home' } },
    ],
  });

  router.beforeEach(async (to) => {
    if (!to.meta.requiresSession) {
      return true;
    }
    const session = useSessionStore();
    try {
      await session.ensureChecked();
    } catch {
      // The server did not answer; the sign-in page says so when the patient tries again.
    }
    if (session.signedIn) {
      return true;
    }
    // A link from an email ("sign in to read it") opens that page once the patient has signed in.
    session.returnTo = safeReturnPath(router, to.fullPath);
    return { name: 'sign-in' };
  });

  // The server ended the session (idle timeout, signed out elsewhere): say so on Sign In.
  onSessionExpired(() => {
    const session = useSessionStore();
    if (!session.signedIn) {
      return;
    }
    session.expire(router.currentRoute.value.fullPath);
    void router.push({ name: 'sign-in' });
  });
  return router;
}
