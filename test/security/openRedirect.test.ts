import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { safeReturnPath } from '../../shared/domain/returnPath';

/**
 * After Sign In the portal opens the page the patient asked for (an email's link). Only a path of
 * this portal to a page behind sign-in may be followed; everything else goes home. The route table
 * below has the shape of portal-server/web/src/router.ts (components do not matter here).
 */
const page = { render: () => null };
const router = createRouter({
  history: createMemoryHistory(),
  routes: [
    { path: '/', name: 'home', component: page, meta: { title: 'Home', requiresSession: true } },
    { path: '/record', name: 'record', component: page, meta: { title: 'Medical Record', requiresSession: true } },
    { path: '/appointments', name: 'appointments', component: page, meta: { title: 'Appointments', requiresSession: true } },
    { path: '/renewals', name: 'renewals', component: page, meta: { title: 'Prescription Renewals', requiresSession: true } },
    { path: '/messages', name: 'messages', component: page, meta: { title: 'Messages', requiresSession: true } },
    { path: '/messages/:id', name: 'message-thread', component: page, meta: { title: 'Message', requiresSession: true } },
    { path: '/account', name: 'account', component: page, meta: { title: 'Account', requiresSession: true } },
    { path: '/register', name: 'register', component: page, meta: { title: 'Complete Registration' } },
    { path: '/sign-in', name: 'sign-in', component: page, meta: { title: 'Sign In' } },
    { path: '/:unknown(.*)*', redirect: { name: 'home' } },
  ],
});

describe('the return path after Sign In (open redirect)', () => {
  it.each(['/messages/3f1c2a9e-5b1d-4c7e-9a55-0d2b7e1f4a10', '/appointments', '/renewals', '/account', '/record', '/messages'])('follows the portal page %s', (path) => {
    expect(safeReturnPath(router, path)).toBe(path);
  });

  it.each([
    '//evil.example/messages',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/messages//evil.example',
    'https://evil.example/messages/1',
    'http:evil.example',
    'javascript:alert(1)',
    'messages/1',
    '/%2F%2Fevil.example',
    '/messages/%2f%2fevil.example',
    '/%5Cevil.example',
    '/messages/1\n//evil.example',
    ' /appointments',
    '/not-a-portal-page',
    '/sign-in',
    '/register',
    '/',
    '',
    '/' + 'a'.repeat(600),
    null,
    undefined,
    42,
    { path: '//evil.example' },
  ])('refuses %j and sends the patient home', (raw) => {
    expect(safeReturnPath(router, raw)).toBeNull();
  });
});
