import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { readMails, waitForMail } from '../../fixtures/mail';
import type { PatientClient } from '../../fixtures/patients';
import { signInPatient } from '../../fixtures/patients';
import type { RealPortal } from './realPatients';
import { ANSWERS, expectNoSidewaysScroll, startRealPortal } from './realPatients';

/** Forgot password and forgot username, the code read out of the delivered .eml like a patient would. */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});

/** Waits for the code mail sent after `before` mails to this patient. */
async function codeFor(who: PatientClient, before: number): Promise<string> {
  await real.portal.handle.flushMail();
  const mail = await waitForMail(real.portal.mailDir, who.email, { after: before });
  expect(mail.code).toMatch(/^\d{6}$/);
  return mail.code ?? '';
}
const mailCount = async (who: PatientClient) => (await readMails(real.portal.mailDir)).filter((m) => m.to.includes(who.email)).length;

/** Step 3's first field is labelled with the security question itself. */
async function answerQuestion(page: Page): Promise<void> {
  const question = page.getByLabel(/first pet|city were you born/);
  await expect(question).toBeVisible();
  const id = await question.getAttribute('id');
  const label = (await page.locator(`label[for="${id}"]`).textContent())?.trim() ?? '';
  await question.fill(ANSWERS[label] ?? '');
}

test('forgot password: the emailed code, the security answer and a new password; every old session ends; sign in with the new one', async ({ page }) => {
  const pat = await real.newPatient('Rosa');
  const elsewhere = await signInPatient(real.portal.url, pat.username, 'Password1');
  await page.goto(`${real.portal.url}/sign-in`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Forgot Your Password' })).toBeVisible();

  const before = await mailCount(pat);
  await page.getByLabel('Username').fill(pat.username);
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect(page.getByRole('heading', { name: 'Step 2 of 3: Enter the code' })).toBeFocused();
  await expect(page.getByRole('status').filter({ hasText: 'If the details match an account, we have sent a code' })).toBeVisible();
  const code = await codeFor(pat, before);

  // A wrong code is one plain alert.
  await page.getByLabel('6-digit code').fill(code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toHaveText('That code is not right or has expired. Start again to get a new code.');

  await page.getByLabel('6-digit code').fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: /^Step 3 of 3/ })).toBeVisible();
  await answerQuestion(page);
  await expect(page.getByText('Minimum length of 8 characters and includes 1 number & 1 capital letter')).toBeVisible();
  await page.getByLabel('New password', { exact: true }).fill('Sunny2Day');
  await page.getByLabel('Re-type new password').fill('Sunny2Day');
  await page.getByRole('button', { name: 'Reset password' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Your password was changed' })).toBeVisible();
  expect((await elsewhere.get('/api/session')).status).toBe(401);
  await page.getByRole('link', { name: 'Continue to Sign In' }).click();
  await expect(page.getByLabel('Username')).toHaveValue(pat.username);
  await page.getByLabel('Password').fill('Sunny2Day');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome, Rosa' })).toBeVisible();
});

test('forgot username: email on file and date of birth, the code, one answer — and the username is shown', async ({ page }) => {
  const pat = await real.newPatient('Sam');
  await page.goto(`${real.portal.url}/sign-in`);
  await page.getByRole('link', { name: 'Forgot your username?' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Forgot Your Username' })).toBeVisible();

  // Client checks first, with the shared schema.
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect(page.getByLabel('Email address')).toBeFocused();
  await expect(page.getByText('Enter an email address.')).toBeVisible();

  const before = await mailCount(pat);
  await page.getByLabel('Email address').fill(pat.email.toUpperCase());
  await page.getByLabel('Date of birth').fill('4/12/1986');
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByLabel('6-digit code').fill(await codeFor(pat, before));
  await page.getByRole('button', { name: 'Continue' }).click();
  await answerQuestion(page);
  await expect(page.getByLabel('New password')).toHaveCount(0);
  await page.getByRole('button', { name: 'Show my username' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Your username is ${pat.username}.` })).toBeVisible();
});

test('an unknown username gets the same page as a known one, and Start again goes back to step 1; fits a 375-pixel phone', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto(`${real.portal.url}/recover/password`);
  await expectNoSidewaysScroll(page, 375);
  await page.getByLabel('Username').fill('NoSuchPatient9');
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'If the details match an account, we have sent a code' })).toBeVisible();
  await expectNoSidewaysScroll(page, 375);
  await page.getByRole('button', { name: 'start again' }).click();
  await expect(page.getByRole('heading', { name: 'Step 1 of 3: Your username' })).toBeFocused();
});
