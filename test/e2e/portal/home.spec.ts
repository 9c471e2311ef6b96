import { expect, test } from '@playwright/test';
import { CLINIC } from './portalData';
import { mockPortal, openPage, usePortalServer } from './portalMock';

/** Home greets the patient, names the clinic and sums up what is new, with links to each page. */

const url = usePortalServer(test);

test('Home greets by name, names the clinic and sums up what is new', async ({ page }) => {
  await mockPortal(page);
  await openPage(page, url('/'), 'Welcome, William');
  const main = page.getByRole('main');
  await expect(main).toContainText(`This is your patient portal at ${CLINIC.name}.`);

  const upcoming = page.getByRole('region', { name: 'Upcoming appointments' });
  await expect(upcoming).toContainText('Thu, Dec 3, 2026 at 9:30 AM EST with Dr. Sam Patel');
  await expect(page.getByRole('region', { name: 'Messages' })).toContainText('You have 2 unread messages.');
  await expect(page.getByRole('region', { name: 'Prescription renewals' })).toContainText('1 renewal request is waiting for your physician.');

  const updates = page.getByRole('region', { name: 'Recent updates' });
  await expect(updates.getByRole('listitem')).toHaveCount(2);
  await expect(updates).toContainText('Nov 21, 2026, 9:05 AM EST');
  await updates.getByRole('link', { name: 'Your renewal of Metformin was denied.' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Prescription Renewals' })).toBeFocused();

  await page.goBack();
  await page.getByRole('link', { name: 'See all appointments' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Appointments' })).toBeVisible();
});

test('with nothing new, Home says so plainly', async ({ page }) => {
  await mockPortal(page, {
    home: { upcoming: [], unreadMessages: 0, pendingRenewals: 0, recentUpdates: [] },
    threads: [],
  });
  await openPage(page, url('/'), 'Welcome, William');
  await expect(page.getByRole('region', { name: 'Upcoming appointments' })).toContainText('No upcoming appointments.');
  await expect(page.getByRole('region', { name: 'Messages' })).toContainText('No unread messages.');
  await expect(page.getByRole('region', { name: 'Prescription renewals' })).toContainText('No renewal requests waiting.');
  await expect(page.getByRole('region', { name: 'Recent updates' })).toContainText('Nothing new since your last visit.');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages', exact: true })).toBeVisible();
});

test('while the summary loads Home says so; when it fails, Retry brings it', async ({ page }) => {
  const mock = await mockPortal(page);
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolveHeld) => {
    release = resolveHeld;
  });
  await page.route('**/api/home', async (route) => {
    await held;
    await route.fallback();
  });
  mock.answerOnce('GET /api/home', { status: 503, body: { error: { code: 'offline', message: 'The portal is not reachable. Try again in a moment.' } } });
  await page.goto(url('/'));
  await expect(page.getByRole('status').filter({ hasText: 'Loading what is new…' })).toBeVisible();
  release();

  await expect(page.getByRole('alert')).toHaveText('The portal is not reachable. Try again in a moment.');
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('region', { name: 'Messages' })).toContainText('You have 2 unread messages.');
  await expect(page.getByRole('alert')).toHaveCount(0);
});
