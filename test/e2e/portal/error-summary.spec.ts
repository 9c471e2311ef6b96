import { expect, test } from '@playwright/test';
import { waitForMail } from '../../fixtures/mail';
import type { RealPortal } from './realPatients';
import { signInThroughPage, startRealPortal } from './realPatients';

/**
 * Long forms say what needs fixing at the top, in a polite live region with a link to each field, and an
 * error that appears when a field is left is announced (issue 14, item 4). Real portal server.
 */
let real: RealPortal;
let link: string;

test.beforeAll(async () => {
  real = await startRealPortal();
  const email = `summary.${Date.now()}@example.com`;
  await real.team.desk.console.preRegister({ email, givenName: 'Sam', familyName: 'Summary', dateOfBirth: '1986-04-12' });
  await real.portal.handle.flushMail();
  link = (await waitForMail(real.portal.mailDir, email)).link ?? '';
});
test.afterAll(async () => {
  await real.portal.stop();
});

test('the registration form lists every problem at the top, and each link takes the focus to its field', async ({ page }) => {
  await page.goto(link);
  await page.getByLabel('Username').fill('Sam2');
  await page.getByRole('button', { name: 'Register' }).click();

  const summary = page.getByRole('status').filter({ hasText: 'Please fix these' });
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link')).toHaveCount(9);
  await expect(summary.getByRole('link').first()).toHaveText('Username: Username must have at least 8 characters (ex: William2).');
  // The focus still goes to the first field that needs fixing.
  await expect(page.getByLabel('Username')).toBeFocused();

  await summary.getByRole('link', { name: /^Account Verification 2: Please enter Registration ID:/ }).click();
  await expect(page.getByLabel('Account Verification 2: Please enter Registration ID')).toBeFocused();

  // Fixed fields leave the list as they are corrected.
  await page.getByLabel('Username').fill('SamSummary1');
  await page.getByLabel('Username').blur();
  await expect(summary.getByRole('link')).toHaveCount(8);

  // In Spanish, the same list in Spanish.
  await page.getByRole('group', { name: /Language/ }).getByRole('button', { name: 'Español' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Corrija estos 8 datos antes de enviar:' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Contraseña: Escriba una contraseña.' })).toBeVisible();
});

test('an error that appears when a field is left is said in a live region that was already on the page', async ({ page }) => {
  await page.goto(link);
  const usernameField = page.locator('.field').filter({ has: page.getByLabel('Username') });
  const region = usernameField.locator('[aria-live="polite"]');
  // The region is there, empty, before anything is wrong: only then do screen readers say what appears in it.
  await expect(region).toHaveCount(1);
  await expect(region).toHaveText('');
  await page.getByLabel('Username').fill('abc');
  await page.getByLabel('Username').press('Tab');
  await expect(region).toContainText('Username must have at least 8 characters');
});

test('the change-password form sums up its problems too', async ({ page }) => {
  const patient = await real.newPatient('Pat');
  await signInThroughPage(page, real.portal.url, patient.username, 'Password1');
  await page.goto(`${real.portal.url}/account`);
  await page.getByRole('button', { name: 'Change password' }).click();
  const summary = page.getByRole('status').filter({ hasText: 'Please fix these 3 things before sending:' });
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link', { name: 'Current password: Enter your current password.' })).toBeVisible();
  await expect(page.getByLabel('Current password')).toBeFocused();
});
