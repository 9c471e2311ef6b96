import { expect, test } from '@playwright/test';
import type { StaffPasswordResetResponse } from '../../../shared/api/staffSecurity';
import { readMails, waitForMail } from '../../fixtures/mail';
import type { ClinicTeam } from '../../fixtures/patients';
import { clinicTeam, registerPatient, signInPatient } from '../../fixtures/patients';
import type { TestPortal } from '../../fixtures/portal';
import { api, startTestPortal } from '../../fixtures/portal';

/** The front desk sends a password-reset link; the patient opens it from the delivered .eml. */
let real: { portal: TestPortal; team: ClinicTeam };
test.beforeAll(async () => {
  const portal = await startTestPortal();
  real = { portal, team: await clinicTeam(portal) };
});
test.afterAll(async () => {
  await real.portal.stop();
});

test('a front-desk reset link sets a new password once, signs out everywhere, and leaves the address bar clean', async ({ page }) => {
  const pat = await registerPatient(real.portal, real.team.desk.console, { givenName: 'Tess', familyName: 'Reset' });
  const elsewhere = await signInPatient(real.portal.url, pat.username, 'Password1');
  const before = (await readMails(real.portal.mailDir)).filter((m) => m.to.includes(pat.email)).length;
  const sent = await api<StaffPasswordResetResponse>(real.portal.url, `/api/staff/patients/${pat.patientId}/password-reset`, { method: 'POST', token: real.team.desk.console.token });
  expect(sent.status).toBe(202);
  await real.portal.handle.flushMail();
  const mail = await waitForMail(real.portal.mailDir, pat.email, { after: before });
  const link = /href="([^"]+\/reset-password#token=[^"]+)"/.exec(mail.html)?.[1] ?? '';
  expect(link).not.toBe('');

  await page.goto(link);
  await expect(page.getByRole('heading', { level: 1, name: 'Set a New Password' })).toBeVisible();
  expect(page.url()).toBe(`${real.portal.url}/reset-password`);

  await page.getByLabel('New password', { exact: true }).fill('Brand2New');
  await page.getByLabel('Re-type new password').fill('Brand2Nex');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByLabel('Re-type new password')).toHaveAccessibleDescription('The passwords do not match.');
  await page.getByLabel('Re-type new password').fill('Brand2New');
  await page.getByRole('button', { name: 'Set new password' }).click();
  // The confirmation takes the focus, so a screen reader reads it at once.
  await expect(page.locator(':focus')).toContainText('Your new password is set.');
  expect((await elsewhere.get('/api/session')).status).toBe(401);

  await page.getByRole('link', { name: 'Continue to Sign In' }).click();
  await page.getByLabel('Username').fill(pat.username);
  await page.getByLabel('Password').fill('Brand2New');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome, Tess' })).toBeVisible();

  // The link worked once.
  const again = await page.context().newPage();
  await again.goto(link);
  await again.getByLabel('New password', { exact: true }).fill('Other2Pass');
  await again.getByLabel('Re-type new password').fill('Other2Pass');
  await again.getByRole('button', { name: 'Set new password' }).click();
  await expect(again.getByRole('alert')).toContainText('This password link no longer works');
});
