import { createRouter, createWebHistory } from 'vue-router';
import type { Router } from 'vue-router';
import { useSessionStore } from './stores/session';
import HomeView from './views/HomeView.vue';
import RegisterView from './views/RegisterView.vue';
import SignInView from './views/SignInView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    /** The page's name in the browser tab, before the clinic's name. */
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
      { path: '/', name: 'home', component: HomeView, meta: { title: 'Home', requiresSession: true } },
      { path: '/register', name: 'register', component: RegisterView, meta: { title: 'Complete Registration' } },
      { path: '/sign-in', name: 'sign-in', component: SignInView, meta: { title: 'Sign In' } },
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
    return session.signedIn ? true : { name: 'sign-in' };
  });
  return router;
}
