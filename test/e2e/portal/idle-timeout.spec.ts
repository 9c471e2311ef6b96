import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { PatientSessionEntity } from '../../../shared/node/entities/server';
import type { RealPortal } from './realPatients';
import { signInThroughPage, startRealPortal } from './realPatients';

/**
 * The idle warning, against a real server configured with a 5-minute idle limit. The browser's
 * clock is driven by Playwright; the server's own clock runs normally, so its session stays alive
 * until the page ends it — and "Stay signed in" must reach the server.
 */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal({ patientIdleTimeoutMs: 5 * 60_000 });
});
test.afterAll(async () => {
  await real.portal.stop();
});

const sessionsOf = (patientId: string) =>
  real.portal.handle.context.db.read((m) =>
    m.createQueryBuilder(PatientSessionEntity, 's').innerJoin('patient_account', 'a', 'a.id = s.accountId').where('a.patientId = :patientId', { patientId }).getCount(),
  );

/**
 * Every signed-in answer resets the page's countdown, so the browser clock may only jump once no
 * API call is on its way (an answer landing after the jump would count as fresh activity).
 */
function trackApiCalls(page: Page): () => Promise<void> {
  let open = 0;
  const isApi = (url: string) => new URL(url).pathname.startsWith('/api/');
  page.on('request', (r) => {
    if (isApi(r.url())) {
      open += 1;
    }
  });
  const done = (r: { url(): string }) => {
    if (isApi(r.url())) {
      open -= 1;
    }
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return () => expect.poll(() => open).toBe(0);
}

test('two minutes before the limit the patient is asked "Are you still there?"; Stay signed in keeps the session, silence signs out', async ({ page }) => {
  const pat = await real.newPatient('Yara');
  const sessionsBefore = await sessionsOf(pat.patientId);
  const settled = trackApiCalls(page);
  await page.clock.install();
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await expect(page.getByText('No one at the clinic has opened or changed your medical record yet.')).toBeVisible();
  const dialog = page.getByRole('alertdialog', { name: 'Are you still there?' });
  await expect(dialog).toHaveCount(0);

  await settled();
  await page.clock.fastForward('03:05');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('signed out after 5 minutes without activity');
  await expect(dialog.getByRole('button', { name: 'Stay signed in' })).toBeFocused();
  const stayed = page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'GET');
  await dialog.getByRole('button', { name: 'Stay signed in' }).click();
  expect((await stayed).status()).toBe(200);
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();

  // A full period later (nothing done meanwhile) the warning comes back, then the page signs out.
  await settled();
  await page.clock.fastForward('03:05');
  await expect(dialog).toBeVisible();
  await page.clock.fastForward('02:00');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'You were signed out after 5 minutes without activity.' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  // The server ended this browser's session too (the other one is the test's own sign-in).
  expect(await sessionsOf(pat.patientId)).toBe(sessionsBefore);
  expect((await page.request.get(`${real.portal.url}/api/session`)).status()).toBe(401);

  // Signing in again returns to where the patient was.
  await page.getByLabel('Username').fill(pat.username);
  await page.getByLabel('Password').fill('Password1');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
});

test('"Sign out" in the warning signs the patient out at once', async ({ page }) => {
  const pat = await real.newPatient('Zed');
  const sessionsBefore = await sessionsOf(pat.patientId);
  const settled = trackApiCalls(page);
  await page.clock.install();
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await settled();
  await page.clock.fastForward('03:30');
  const dialog = page.getByRole('alertdialog', { name: 'Are you still there?' });
  await dialog.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'You have signed out.' })).toBeVisible();
  expect(await sessionsOf(pat.patientId)).toBe(sessionsBefore);
});

test('typing counts as activity, the warning does not mark the field wrong, and an unsent message survives a sign-out for inactivity', async ({ page }) => {
  const pat = await real.newPatient('Wren');
  const settled = trackApiCalls(page);
  await page.clock.install();
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Messages/ }).click();
  const subject = page.getByRole('textbox', { name: 'Subject' });
  const body = page.getByRole('textbox', { name: 'Message' });
  const dialog = page.getByRole('alertdialog', { name: 'Are you still there?' });

  // The patient is in an empty required field when the warning takes the focus: not marked wrong.
  await subject.click();
  await settled();
  await page.clock.fastForward('03:05');
  await expect(dialog).toBeVisible();
  // Behind the modal dialog the page is inert (no roles): the field by its id.
  await expect(page.locator('#new-message-subject')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#new-message-subject-error')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Stay signed in' }).click();
  await expect(dialog).toBeHidden();
  await expect(subject).not.toHaveAttribute('aria-invalid', 'true');

  // Typing tells the server the patient is there: four minutes after "Stay signed in", two of them
  // after typing, no warning (without the typing it would have come at three).
  await settled();
  await page.clock.fastForward('02:00');
  const pinged = page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'GET');
  await subject.fill('Question about my knee');
  await body.pressSequentially('Is it fine to');
  expect((await pinged).status()).toBe(200);
  await settled();
  await page.clock.fastForward('02:00');
  await expect(dialog).toHaveCount(0);

  // Silence (two minutes have passed since the typing): signed out; signing in again brings the
  // unsent message back in this tab.
  await settled();
  await page.clock.fastForward('01:05');
  await expect(dialog).toBeVisible();
  await page.clock.fastForward('02:00');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await page.getByLabel('Username').fill(pat.username);
  await page.getByLabel('Password').fill('Password1');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Messages' })).toBeVisible();
  await expect(subject).toHaveValue('Question about my knee');
  await expect(body).toHaveValue('Is it fine to');

  // Signing out on purpose forgets it.
  await page.getByRole('button', { name: /Sign Out/i }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await page.getByLabel('Username').fill(pat.username);
  await page.getByLabel('Password').fill('Password1');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Messages/ }).click();
  await expect(subject).toHaveValue('');
  await expect(body).toHaveValue('');
});
