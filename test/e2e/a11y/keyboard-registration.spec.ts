import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { waitForMail } from '../../fixtures/mail';
import type { TestPortal } from '../../fixtures/portal';
import { TEST_CLINIC, TestConsole, addStaff, signInStaff, startTestPortal } from '../../fixtures/portal';

/**
 * Maria registers from her invitation email with the keyboard alone: Tab, typing and Enter, no
 * clicks. Focus goes to the first field in error, into the confirmation dialog, and from it to the
 * Sign In page, where she signs in, still by keyboard. A real portal server and the real email.
 */
let portal: TestPortal;
let desk: TestConsole;

test.beforeAll(async () => {
  portal = await startTestPortal();
  const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  desk = new TestConsole(portal.url, await addStaff(portal.url, admin.token, 'frontdesk', 'receptionist'));
});
test.afterAll(async () => {
  await portal.stop();
});

/** Presses Tab until `target` has the focus; fails if it takes more than `most` presses. */
async function tabTo(page: Page, target: Locator, most = 25): Promise<number> {
  for (let presses = 1; presses <= most; presses += 1) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element === element.ownerDocument.activeElement)) {
      return presses;
    }
  }
  throw new Error(`Tab never reached ${target.toString()} in ${most} presses.`);
}

/** Tab to the next control: it must be `target`, then type into it. */
async function nextField(page: Page, target: Locator, text: string): Promise<void> {
  await page.keyboard.press('Tab');
  await expect(target).toBeFocused();
  await page.keyboard.type(text);
}

test('Maria registers and signs in with Tab, typing and Enter only', async ({ page }) => {
  await desk.preRegister({ email: 'maria.keys@example.com', givenName: 'Maria', familyName: 'Lopez', dateOfBirth: '1986-04-12' });
  await portal.handle.flushMail();
  const mail = await waitForMail(portal.mailDir, 'maria.keys@example.com');
  await page.goto(mail.link ?? '');
  await expect(page.getByRole('heading', { level: 1, name: 'Complete Registration' })).toBeVisible();

  const username = page.getByLabel('Username');
  const password = page.getByLabel('Password', { exact: true });
  const register = page.getByRole('button', { name: 'Register' });

  // She fills only her username and presses Register: focus goes to the first field in error.
  await tabTo(page, username);
  await page.keyboard.type('MariaL1986');
  await tabTo(page, register, 15);
  await page.keyboard.press('Enter');
  await expect(password).toBeFocused();
  await expect(password).toHaveAttribute('aria-invalid', 'true');

  // From there, every field in page order is one Tab away.
  await page.keyboard.type('Password1');
  await nextField(page, page.getByLabel('Re-type Password'), 'Password1');
  // Typing on a focused list picks the option that starts with what was typed.
  await nextField(page, page.getByRole('combobox', { name: 'Security Question 1' }), 'What was the name of your first p');
  await expect(page.getByRole('combobox', { name: 'Security Question 1' })).toHaveValue('first-pet');
  await nextField(page, page.getByLabel('Answer to Security Question 1'), 'Rex');
  await nextField(page, page.getByRole('combobox', { name: 'Security Question 2' }), 'In what city');
  await expect(page.getByRole('combobox', { name: 'Security Question 2' })).toHaveValue('birth-city');
  await nextField(page, page.getByLabel('Answer to Security Question 2'), 'Springfield');
  await nextField(page, page.getByLabel('Account Verification 1: Please enter Date of Birth'), '04/12/1986');
  await nextField(page, page.getByLabel('Account Verification 2: Please enter Registration ID'), mail.registrationId ?? '');
  await page.keyboard.press('Tab');
  await expect(register).toBeFocused();
  await expect(page.locator('[aria-invalid="true"]')).toHaveCount(0);
  await page.keyboard.press('Enter');

  // The confirmation dialog takes the focus.
  const dialog = page.getByRole('dialog', { name: 'Registration Complete' });
  await expect(dialog).toBeVisible();
  const continueButton = dialog.getByRole('button', { name: 'Continue to Sign In' });
  await expect(continueButton).toBeFocused();

  // Enter leaves the dialog for Sign In, where focus is back on the page and her username is filled in.
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeFocused();
  await expect(page.getByLabel('Username')).toHaveValue('MariaL1986');
  await tabTo(page, page.getByLabel('Password'));
  await page.keyboard.type('Password1');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome, Maria' })).toBeVisible();
});
