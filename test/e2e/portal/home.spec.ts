import { expect, test } from '@playwright/test';
import type { HomeSummary } from '../../../shared/api/patient';
import { TEST_CLINIC } from '../../fixtures/portal';
import type { RealPortal } from './realPatients';
import { FAR_VISIT, askRenewal, bookVisit, decideRenewal, fillRecord, signInThroughPage, staffReply, startRealPortal, startThread } from './realPatients';

/** Home greets the patient, names the clinic and sums up what is new, with links to each page (real server). */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});

/** How the page writes an update's time: the clinic's zone, named (the test's own oracle, not the app's formatter). */
const asShown = (iso: string) =>
  new Intl.DateTimeFormat('en-US', { timeZone: TEST_CLINIC.timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(new Date(iso));

test('Home greets by name, names the clinic and sums up what is new', async ({ page }) => {
  const pat = await real.newPatient('William');
  const { lisinopril, metformin } = await fillRecord(real, pat);
  await bookVisit(real, pat, FAR_VISIT, 'Blood pressure check');
  const thread = await startThread(pat, 'Question about my dose', 'Can I take it twice?');
  await staffReply(real.team.doctor, thread.id, 'No, once a day.');
  await staffReply(real.team.doctor, thread.id, 'Call us if it gets worse.');
  await decideRenewal(real, (await askRenewal(pat, metformin)).id, 'denied', 'Please book a visit first: we need a new A1c.');
  await askRenewal(pat, lisinopril);

  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome, William' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText(`This is your patient portal at ${TEST_CLINIC.name}.`);

  const upcoming = page.getByRole('region', { name: 'Upcoming appointments' });
  await expect(upcoming).toContainText('Thu, Dec 5, 2030 at 9:30 AM CST with Dr. Sam Patel');
  await expect(page.getByRole('region', { name: 'Messages' })).toContainText('You have 2 unread messages.');
  await expect(page.getByRole('region', { name: 'Prescription renewals' })).toContainText('1 renewal request is waiting for your physician.');

  // The visit booked, the renewal answered, the new message: newest first, each at its time.
  const updates = page.getByRole('region', { name: 'Recent updates' });
  const summary = (await pat.get<HomeSummary>('/api/home')).body;
  expect(summary.recentUpdates.map((u) => u.link).sort()).toEqual(['appointments', 'messages', 'renewals']);
  await expect(updates.getByRole('listitem')).toHaveCount(3);
  for (const [i, update] of summary.recentUpdates.entries()) {
    await expect(updates.getByRole('listitem').nth(i)).toContainText(update.text);
    await expect(updates.getByRole('listitem').nth(i)).toContainText(asShown(update.at));
  }
  await updates.getByRole('link', { name: 'Your renewal of Metformin was denied.' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Prescription Renewals' })).toBeFocused();

  await page.goBack();
  await page.getByRole('link', { name: 'See all appointments' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Appointments' })).toBeVisible();
});

test('with nothing new, Home says so plainly', async ({ page }) => {
  const pat = await real.newPatient('Nina');
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome, Nina' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Upcoming appointments' })).toContainText('No upcoming appointments.');
  await expect(page.getByRole('region', { name: 'Messages' })).toContainText('No unread messages.');
  await expect(page.getByRole('region', { name: 'Prescription renewals' })).toContainText('No renewal requests waiting.');
  await expect(page.getByRole('region', { name: 'Recent updates' })).toContainText('Nothing new since your last visit.');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages', exact: true })).toBeVisible();
});

test('while the summary loads Home says so; when it fails, Retry brings it', async ({ page }) => {
  const pat = await real.newPatient('Omar');
  const thread = await startThread(pat, 'Hello', 'Is anyone there?');
  await staffReply(real.team.doctor, thread.id, 'Yes, we are.');
  await staffReply(real.team.doctor, thread.id, 'How can we help?');
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');

  // Stub: the real server answers at once and is reachable, so a slow answer (for the loading
  // state) and an unreachable portal (503) are played here; Retry then reaches the real server.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolveHeld) => {
    release = resolveHeld;
  });
  let calls = 0;
  await page.route('**/api/home', async (route) => {
    calls += 1;
    if (calls > 1) {
      await route.fallback();
      return;
    }
    await held;
    await route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'offline', message: 'The portal is not reachable. Try again in a moment.' } }) });
  });
  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: 'Loading what is new…' })).toBeVisible();
  release();

  await expect(page.getByRole('alert')).toHaveText('The portal is not reachable. Try again in a moment.');
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('region', { name: 'Messages' })).toContainText('You have 2 unread messages.');
  await expect(page.getByRole('alert')).toHaveCount(0);
});
