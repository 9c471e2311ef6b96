import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { PatientSessionView } from '../../../shared/api/types';
import { CSRF_HEADER } from '../../../shared/api/types';
import type { ThreadSummaryView } from '../../../shared/domain/message';
import type { PatientClient } from '../../fixtures/patients';
import { signInPatient } from '../../fixtures/patients';
import { TEST_CLINIC } from '../../fixtures/portal';
import type { RealPortal } from './realPatients';
import { FAR_VISIT, askRenewal, bookVisit, decideRenewal, expectNoSidewaysScroll, fillRecord, openPage, signInThroughPage, staffReply, startRealPortal, startThread } from './realPatients';

/** The signed-in frame: main navigation, unread count, page titles, phones, an ended session (real server). */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});

const PAGES = [
  { link: 'Home', path: '/', heading: 'Welcome, William', title: 'Home' },
  { link: 'Medical Record', path: '/record', heading: 'Medical Record', title: 'Medical Record' },
  { link: 'Appointments', path: '/appointments', heading: 'Appointments', title: 'Appointments' },
  { link: 'Prescription Renewals', path: '/renewals', heading: 'Prescription Renewals', title: 'Prescription Renewals' },
  { link: 'Messages', path: '/messages', heading: 'Messages', title: 'Messages' },
];
const url = (path: string) => `${real.portal.url}${path}`;

/** William with something on every page (wide tables included) and two unread answers in one conversation. */
let visitDay = 0;
async function williamFilledIn(): Promise<PatientClient> {
  const pat = await real.newPatient('William');
  const { metformin } = await fillRecord(real, pat);
  visitDay += 1;
  await bookVisit(real, pat, new Date(Date.parse(FAR_VISIT) + visitDay * 86_400_000).toISOString(), 'Blood pressure check');
  await decideRenewal(real, (await askRenewal(pat, metformin, 'Main St Pharmacy')).id, 'denied', 'Please book a visit first: we need a new A1c.');
  const thread = await startThread(pat, 'Question about my dose', 'Can I take it twice?');
  await staffReply(real.team.doctor, thread.id, 'No, once a day.');
  await staffReply(real.team.doctor, thread.id, 'Call us if it gets worse.');
  return pat;
}

async function signIn(page: Page, pat: PatientClient): Promise<void> {
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
}

test('the main navigation leads to every page, names it in the tab and marks where the patient is', async ({ page }) => {
  await signIn(page, await williamFilledIn());
  await openPage(page, url('/messages'), 'Messages');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(['Home', 'Medical Record', 'Appointments', 'Prescription Renewals', /^Messages/, 'Account']);

  for (const target of PAGES) {
    await nav.getByRole('link', { name: new RegExp(`^${target.link}`) }).click();
    await expect(page).toHaveURL(url(target.path));
    const heading = page.getByRole('heading', { level: 1, name: target.heading });
    await expect(heading).toBeFocused();
    await expect(page).toHaveTitle(`${target.title} — ${TEST_CLINIC.name}`);
    await expect(nav.getByRole('link', { name: new RegExp(`^${target.link}`) })).toHaveAttribute('aria-current', 'page');
  }
  await expect(page.getByRole('button', { name: 'Sign Out' })).toBeVisible();
});

test('Messages in the navigation says how many are unread, in words', async ({ page }) => {
  const pat = await williamFilledIn();
  await signIn(page, pat);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Messages (2 unread)' })).toBeVisible();

  // Reading the thread clears the count without reloading the page.
  await nav.getByRole('link', { name: /^Messages/ }).click();
  await page.getByRole('link', { name: /Question about my dose/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Question about my dose' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Messages', exact: true })).toBeVisible();
  // The server marked them read.
  await expect.poll(async () => (await pat.get<ThreadSummaryView[]>('/api/messages')).body.map((t) => t.unread)).toEqual([0]);
});

test('on a 375-pixel phone the navigation is a Menu button and no page scrolls sideways', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signIn(page, await williamFilledIn());
  for (const target of PAGES) {
    await openPage(page, url(target.path), target.heading);
    // Wait for the page's content, not just its heading, before measuring.
    await expect(page.getByRole('status').filter({ hasText: /Loading/ })).toHaveCount(0);
    await expectNoSidewaysScroll(page, 375);
  }

  await openPage(page, url('/'), 'Welcome, William');
  const nav = page.getByRole('navigation', { name: 'Main' });
  const menu = nav.getByRole('button', { name: 'Menu' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav.getByRole('link', { name: 'Medical Record' })).toBeHidden();

  // By keyboard: open the menu, follow a link; the menu folds again on the new page.
  await menu.focus();
  await page.keyboard.press('Enter');
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav.getByRole('link', { name: 'Medical Record' })).toBeVisible();
  await nav.getByRole('link', { name: 'Medical Record' }).press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Medical Record' })).toBeFocused();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('table', { name: 'Lab results' })).toBeVisible();
  await expectNoSidewaysScroll(page, 375);

  // Escape folds it and gives focus back to the button.
  await menu.click();
  await nav.getByRole('link', { name: 'Appointments' }).focus();
  await page.keyboard.press('Escape');
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(menu).toBeFocused();
  await expect(page.getByRole('button', { name: 'Sign Out' })).toBeVisible();
});

test('when the session has ended, the patient is sent to Sign In with a reason and comes back after', async ({ page }) => {
  const pat = await williamFilledIn();
  await signIn(page, pat);
  await openPage(page, url('/appointments'), 'Appointments');
  // The patient signs out everywhere from their phone: this browser's session ends on the server.
  const phone = await signInPatient(real.portal.url, pat.username, 'Password1');
  expect((await phone.post('/api/session/sign-out-everywhere')).status).toBeLessThan(300);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Medical Record' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('Your session has ended');
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Lab results' })).toHaveCount(0);

  await page.getByLabel('Username', { exact: true }).fill(pat.username);
  await page.getByLabel('Password', { exact: true }).fill('Password1');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Medical Record' })).toBeVisible();
  await expect(page).toHaveURL(url('/record'));
  await expect(page.getByRole('table', { name: 'Lab results' })).toBeVisible();
});

test('a form sent after the session ended goes to Sign In too, and state-changing calls carry the CSRF token', async ({ page }) => {
  const pat = await williamFilledIn();
  await signIn(page, pat);
  await openPage(page, url('/messages'), 'Messages');
  const session = (await (await page.request.get(url('/api/session'))).json()) as PatientSessionView;
  const sent: (string | undefined)[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/messages') {
      sent.push(request.headers()[CSRF_HEADER]);
    }
  });
  await page.getByLabel('Subject').fill('Hello');
  await page.getByLabel('Message', { exact: true }).fill('Are you there?');
  // The session ends on the server (signed out everywhere from another device) before the patient presses Send.
  const phone = await signInPatient(real.portal.url, pat.username, 'Password1');
  expect((await phone.post('/api/session/sign-out-everywhere')).status).toBeLessThan(300);
  await page.getByRole('button', { name: 'Send message' }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('Sign in again to continue.');
  expect(sent).toEqual([session.csrfToken]);
  // Nothing reached the clinic.
  const again = await signInPatient(real.portal.url, pat.username, 'Password1');
  expect((await again.get<ThreadSummaryView[]>('/api/messages')).body.map((t) => t.subject)).toEqual(['Question about my dose']);
});
