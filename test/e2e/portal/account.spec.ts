import { expect, test } from '@playwright/test';
import { signInPatient } from '../../fixtures/patients';
import type { RealPortal } from './realPatients';
import { expectNoSidewaysScroll, signInThroughPage, startRealPortal } from './realPatients';

/** The Account page against a real server: change password, sign out everywhere, who viewed my record. */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});

test('change password: the current one is checked, the new one follows the policy, and other sessions end', async ({ page }) => {
  const pat = await real.newPatient('Uma');
  const phone = await signInPatient(real.portal.url, pat.username, 'Password1');
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeFocused();

  const form = page.locator('form').filter({ has: page.getByLabel('Current password') });
  await form.getByLabel('Current password').fill('Password2');
  await form.getByLabel('New password', { exact: true }).fill('short');
  await form.getByLabel('Re-type new password').fill('short');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByLabel('New password', { exact: true })).toHaveAccessibleDescription(/Password must contain between 8 and 15 characters\.$/);
  // The summary at the top links to the field (issue 14 item 4).
  await expect(form.getByRole('link', { name: 'New password: Password must contain between 8 and 15 characters.' })).toBeVisible();
  await expect(form.getByLabel('New password', { exact: true })).toBeFocused();

  await form.getByLabel('New password', { exact: true }).fill('Garden2Go');
  await form.getByLabel('Re-type new password').fill('Garden2Go');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('That is not your current password.')).toBeVisible();
  await expect(form.getByLabel('Current password')).toBeFocused();
  expect((await phone.get('/api/session')).status).toBe(200);

  await form.getByLabel('Current password').fill('Password1');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your password was changed.' })).toBeVisible();
  await expect(form.getByLabel('Current password')).toHaveValue('');
  // This browser stays signed in; the other one is out.
  expect((await phone.get('/api/session')).status).toBe(401);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome, Uma' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign Out' }).click();
  await signInThroughPage(page, real.portal.url, pat.username, 'Garden2Go');
});

test('sign out everywhere ends this browser and every other one', async ({ page }) => {
  const pat = await real.newPatient('Vic');
  const laptop = await signInPatient(real.portal.url, pat.username, 'Password1');
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await page.goto(`${real.portal.url}/account`);
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'You have signed out on every browser and device.' })).toBeVisible();
  expect((await laptop.get('/api/session')).status).toBe(401);
  expect((await page.request.get(`${real.portal.url}/api/session`)).status()).toBe(401);
});

test('who viewed your record: staff openings and changes of MY record, with an empty state for a new patient', async ({ page }) => {
  const pat = await real.newPatient('Wes');
  const other = await real.newPatient('Xia');
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await page.goto(`${real.portal.url}/account`);
  await expect(page.getByText('No one at the clinic has opened or changed your medical record yet.')).toBeVisible();

  expect((await real.team.desk.apply('recordViewed', { patientId: pat.patientId, viewedAt: new Date().toISOString() })).status).toBe('applied');
  expect((await real.team.doctor.apply('recordViewed', { patientId: other.patientId, viewedAt: new Date().toISOString() })).status).toBe('applied');
  await page.reload();
  const table = page.getByRole('table', { name: 'Who viewed your record' });
  await expect(table.getByRole('columnheader')).toHaveText(['When', 'Who', 'Role', 'What']);
  const rows = table.getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('Dana Desk');
  await expect(rows.nth(1)).toContainText('Receptionist');
  await expect(rows.nth(1)).toContainText('Viewed your medical record');
  await expect(table).not.toContainText('Dr. Sam Patel');

  await page.setViewportSize({ width: 375, height: 740 });
  await expectNoSidewaysScroll(page, 375);
});
