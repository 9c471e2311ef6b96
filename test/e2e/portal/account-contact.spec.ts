import { expect, test } from '@playwright/test';
import { readMails, waitForMail } from '../../fixtures/mail';
import { pulledRow } from '../../fixtures/patients';
import type { RealPortal } from './realPatients';
import { signInThroughPage, startRealPortal } from './realPatients';

/** Account → Email and phone, against a real server: the phone saved, the email changed with the code from the .eml. */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});

test('a patient changes their phone, then their email with the code sent to the new address; the old address is told', async ({ page }) => {
  const pat = await real.newPatient('Nadia');
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeFocused();
  const section = page.getByRole('region', { name: 'Email and phone' });
  await expect(section).toContainText(pat.email);

  // Phone: the pre-registration rule, then saved.
  await section.getByLabel('New phone number').fill('555-CALL-NOW');
  await section.getByRole('button', { name: 'Save phone number' }).click();
  await expect(section.getByLabel('New phone number')).toHaveAccessibleDescription(/A phone number can use digits, spaces and \+ \( \) - \. only\./);
  await section.getByLabel('New phone number').fill('(555) 010-7788');
  await section.getByRole('button', { name: 'Save phone number' }).click();
  await expect(section.getByRole('status').filter({ hasText: 'Your phone number was saved.' })).toBeVisible();
  await expect(section).toContainText('(555) 010-7788');

  // Email: a wrong password first, then the code from the .eml sent to the new address.
  const next = `nadia.${Date.now().toString(36)}@example.org`;
  const oldBefore = (await readMails(real.portal.mailDir)).filter((m) => m.to.includes(pat.email)).length;
  await section.getByLabel('New email address').fill(next);
  await section.getByLabel('Your password').fill('Password2');
  await section.getByRole('button', { name: 'Send code' }).click();
  await expect(section.getByLabel('Your password')).toHaveAccessibleDescription('That is not your current password.');
  await section.getByLabel('Your password').fill('Password1');
  await section.getByRole('button', { name: 'Send code' }).click();
  await expect(section.getByRole('status').filter({ hasText: `We sent a 6-digit code to ${next}.` })).toBeVisible();

  await real.portal.handle.flushMail();
  const codeMail = await waitForMail(real.portal.mailDir, next);
  expect(codeMail.code).toMatch(/^\d{6}$/);
  await section.getByLabel('6-digit code').fill(codeMail.code === '000000' ? '111111' : '000000');
  await section.getByRole('button', { name: 'Confirm new email' }).click();
  await expect(section.getByLabel('6-digit code')).toHaveAccessibleDescription('That code is not right or has expired. Ask for a new code.');
  await section.getByLabel('6-digit code').fill(codeMail.code ?? '');
  await section.getByRole('button', { name: 'Confirm new email' }).click();
  await expect(section.getByRole('status').filter({ hasText: `Your email address is now ${next}.` })).toBeVisible();
  await expect(section.getByRole('definition').filter({ hasText: next })).toBeVisible();

  // The console's replica gets both from the server.
  expect(await pulledRow(real.portal.url, real.team.desk.console.token, 'patient', pat.patientId)).toMatchObject({ email: next, phone: '(555) 010-7788' });

  await real.portal.handle.flushMail();
  const notice = await waitForMail(real.portal.mailDir, pat.email, { after: oldBefore });
  expect(notice.text).toContain('was changed on the Account page');
  expect(notice.text).not.toContain(next);
});
