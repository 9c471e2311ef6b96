import { expect, test } from '@playwright/test';
import { CSRF_HEADER } from '../../../shared/api/types';
import { CLINIC } from './portalData';
import { expectNoSidewaysScroll, mockPortal, notSignedIn, openPage, usePortalServer } from './portalMock';

/** The signed-in frame: main navigation, unread count, page titles, phones, an ended session. */

const url = usePortalServer(test);
const PAGES = [
  { link: 'Home', path: '/', heading: 'Welcome, William', title: 'Home' },
  { link: 'Medical Record', path: '/record', heading: 'Medical Record', title: 'Medical Record' },
  { link: 'Appointments', path: '/appointments', heading: 'Appointments', title: 'Appointments' },
  { link: 'Prescription Renewals', path: '/renewals', heading: 'Prescription Renewals', title: 'Prescription Renewals' },
  { link: 'Messages', path: '/messages', heading: 'Messages', title: 'Messages' },
];

test('the main navigation leads to every page, names it in the tab and marks where the patient is', async ({ page }) => {
  await mockPortal(page);
  await openPage(page, url('/messages'), 'Messages');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(['Home', 'Medical Record', 'Appointments', 'Prescription Renewals', /^Messages/, 'Account']);

  for (const target of PAGES) {
    await nav.getByRole('link', { name: new RegExp(`^${target.link}`) }).click();
    await expect(page).toHaveURL(url(target.path));
    const heading = page.getByRole('heading', { level: 1, name: target.heading });
    await expect(heading).toBeFocused();
    await expect(page).toHaveTitle(`${target.title} — ${CLINIC.name}`);
    await expect(nav.getByRole('link', { name: new RegExp(`^${target.link}`) })).toHaveAttribute('aria-current', 'page');
  }
  await expect(page.getByRole('button', { name: 'Sign Out' })).toBeVisible();
});

test('Messages in the navigation says how many are unread, in words', async ({ page }) => {
  await mockPortal(page);
  await openPage(page, url('/'), 'Welcome, William');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Messages (2 unread)' })).toBeVisible();

  // Reading the thread clears the count without reloading the page.
  await nav.getByRole('link', { name: /^Messages/ }).click();
  await page.getByRole('link', { name: /Question about my dose/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Question about my dose' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Messages', exact: true })).toBeVisible();
});

test('on a 375-pixel phone the navigation is a Menu button and no page scrolls sideways', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await mockPortal(page);
  for (const target of PAGES) {
    await openPage(page, url(target.path), target.heading);
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
  const mock = await mockPortal(page);
  await openPage(page, url('/appointments'), 'Appointments');
  mock.state.signedIn = false;

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Medical Record' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('Your session has ended');
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Lab results' })).toHaveCount(0);

  await page.getByLabel('Username', { exact: true }).fill('William2');
  await page.getByLabel('Password', { exact: true }).fill('Password1');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Medical Record' })).toBeVisible();
  await expect(page).toHaveURL(url('/record'));
});

test('a form sent after the session ended goes to Sign In too, and state-changing calls carry the CSRF token', async ({ page }) => {
  const mock = await mockPortal(page);
  await openPage(page, url('/messages'), 'Messages');
  await page.getByLabel('Subject').fill('Hello');
  await page.getByLabel('Message', { exact: true }).fill('Are you there?');
  mock.answerOnce('POST /api/messages', { status: 401, body: notSignedIn });
  await page.getByRole('button', { name: 'Send message' }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('Sign in again to continue.');
  expect(mock.sentTo('POST /api/messages')[0]?.headers[CSRF_HEADER]).toBe('csrf-1234');
});
