import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { waitForMail } from '../../fixtures/mail';
import { JUNK_MAIL_HINT } from '../../../shared/domain/invitation';
import type { RealPortal } from './realPatients';
import { startRealPortal } from './realPatients';

/**
 * Registration without the emailed link, against a REAL portal server: Sign In's "Have a
 * Registration ID? Register here" opens the same Complete Registration form; Date of Birth plus the
 * typed Registration ID find the invitation.
 */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});

const DOB_LABEL = 'Account Verification 1: Please enter Date of Birth';
const REG_ID_LABEL = 'Account Verification 2: Please enter Registration ID';
const REG_ID_HINT = 'The registration ID can be found on your Patient Portal invite you received via email.';

/** Pre-registers a patient through the desk and returns the Registration ID their email carries. */
async function invitedPatient(): Promise<string> {
  const email = `byid.${randomUUID().slice(0, 8)}@example.com`;
  const { response } = await real.team.desk.console.preRegister({ givenName: 'Robin', familyName: 'Typed', email, dateOfBirth: '1986-04-12' });
  expect(response.outcomes[0]?.status).toBe('applied');
  await real.portal.handle.flushMail();
  const mail = await waitForMail(real.portal.mailDir, email);
  return mail.registrationId ?? '';
}

async function fillForm(page: Page, username: string, dateOfBirth: string, registrationId: string): Promise<void> {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill('Password1');
  await page.getByLabel('Re-type Password').fill('Password1');
  await page.getByRole('combobox', { name: 'Security Question 1' }).selectOption({ label: 'What was the name of your first pet?' });
  await page.getByRole('textbox', { name: 'Answer to Security Question 1' }).fill('Rex');
  await page.getByRole('combobox', { name: 'Security Question 2' }).selectOption({ label: 'In what city were you born?' });
  await page.getByRole('textbox', { name: 'Answer to Security Question 2' }).fill('Springfield');
  await page.getByLabel(DOB_LABEL).fill(dateOfBirth);
  await page.getByLabel(REG_ID_LABEL).fill(registrationId);
}

test('from Sign In, a typed Registration ID registers; a wrong ID and a wrong date of birth are refused alike', async ({ page }) => {
  const registrationId = await invitedPatient();
  await page.goto(`${real.portal.url}/sign-in`);
  await expect(page.getByText(JUNK_MAIL_HINT)).toBeVisible();
  await page.getByRole('link', { name: 'Register here' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Complete Registration' })).toBeVisible();
  // The same form, with the guide's hint word for word.
  await expect(page.getByLabel(REG_ID_LABEL)).toHaveAccessibleDescription(REG_ID_HINT);

  const username = `Robin${randomUUID().slice(0, 6)}`;
  const refusal = 'We could not verify your details. Check your date of birth and the Registration ID in your invitation email, and try again.';
  await fillForm(page, username, '04/12/1986', 'ZZZZ-ZZZ2');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('alert')).toHaveText(refusal);

  await page.getByLabel(DOB_LABEL).fill('04/13/1986');
  await page.getByLabel(REG_ID_LABEL).fill(registrationId);
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('alert')).toHaveText(refusal);

  await page.getByLabel(DOB_LABEL).fill('04/12/1986');
  await page.getByLabel(REG_ID_LABEL).fill(registrationId.toLowerCase());
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('dialog')).toContainText(username);

  // The ID is used up: typing it again is refused.
  await page.goto(`${real.portal.url}/register-with-id`);
  await fillForm(page, `Other${randomUUID().slice(0, 6)}`, '04/12/1986', registrationId);
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('alert')).toContainText('This invitation has already been used to register.');
});
