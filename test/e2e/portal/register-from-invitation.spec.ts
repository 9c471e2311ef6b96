import { expect, test } from '@playwright/test';
import { InvitationEntity } from '../../../shared/node/entities/server';
import { waitForMail } from '../../fixtures/mail';
import type { TestPortal } from '../../fixtures/portal';
import { TEST_CLINIC, TestConsole, addStaff, signInStaff, startTestPortal } from '../../fixtures/portal';

/**
 * The whole patient path through real parts: a real portal server on 127.0.0.1 with a real SQLite
 * file, the invitation delivered as an .eml file and read back, and the form filled in Chromium.
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

async function invite(email: string) {
  const { invitationId } = await desk.preRegister({ email, givenName: 'Maria', familyName: 'Lopez', dateOfBirth: '1986-04-12' });
  await portal.handle.flushMail();
  return { invitationId, mail: await waitForMail(portal.mailDir, email) };
}

test('a patient registers from the invitation email, sees "Registration Complete" and signs in', async ({ page }) => {
  const { mail, invitationId } = await invite('maria.e2e@example.com');
  expect(mail.link).not.toBeNull();
  await page.goto(mail.link ?? '');

  await expect(page.getByRole('heading', { name: 'Complete Registration' })).toBeVisible();
  // The token leaves the address bar once the page has read it.
  await expect(page).toHaveURL(`${portal.url}/register`);
  await page.getByLabel('Username').fill('MariaL1986');
  await page.getByLabel('Password', { exact: true }).fill('Password1');
  await page.getByLabel('Re-type Password').fill('Password1');
  await page.getByRole('combobox', { name: 'Security Question 1' }).selectOption({ label: 'What was the name of your first pet?' });
  await page.getByLabel('Answer to Security Question 1').fill('Rex');
  await page.getByRole('combobox', { name: 'Security Question 2' }).selectOption({ label: 'In what city were you born?' });
  await page.getByLabel('Answer to Security Question 2').fill('Springfield');
  await page.getByLabel('Account Verification 1: Please enter Date of Birth').fill('4/12/1986');
  await page.getByLabel('Account Verification 2: Please enter Registration ID').fill(mail.registrationId ?? '');
  await page.getByRole('button', { name: 'Register' }).click();

  const dialog = page.getByRole('dialog', { name: 'Registration Complete' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Continue to Sign In' }).click();

  await expect(page.getByRole('heading', { name: 'Sign In' })).toBeVisible();
  await expect(page.getByLabel('Username')).toHaveValue('MariaL1986');
  await page.getByLabel('Password').fill('Password1');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { name: /Welcome, Maria/ })).toBeVisible();
  await expect(page.getByText(TEST_CLINIC.name).first()).toBeVisible();

  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === '__Host-portal_session');
  expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
  const inv = await portal.handle.context.db.read((m) => m.findOneByOrFail(InvitationEntity, { id: invitationId }));
  expect(inv.status).toBe('registered');
});

test('a wrong Registration ID gets one message naming neither field', async ({ page }) => {
  const { mail } = await invite('wrong.id@example.com');
  await page.goto(mail.link ?? '');
  await page.getByLabel('Username').fill('WrongId2000');
  await page.getByLabel('Password', { exact: true }).fill('Password1');
  await page.getByLabel('Re-type Password').fill('Password1');
  await page.getByRole('combobox', { name: 'Security Question 1' }).selectOption({ index: 1 });
  await page.getByLabel('Answer to Security Question 1').fill('one');
  await page.getByRole('combobox', { name: 'Security Question 2' }).selectOption({ index: 2 });
  await page.getByLabel('Answer to Security Question 2').fill('two');
  await page.getByLabel('Account Verification 1: Please enter Date of Birth').fill('04/12/1986');
  await page.getByLabel('Account Verification 2: Please enter Registration ID').fill('AAAA-BBBB');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'We could not verify your details' })).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
});
