import { expect, test } from '@playwright/test';
import { generate } from 'otplib';
import type { TestPortal } from '../../fixtures/portal';
import { TEST_CLINIC, addStaff, signInStaff, startTestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { signIn } from './demoDesk';

/**
 * Issue 13 through the bridged console against a real server: an admin turns the clinic's policy on
 * in Clinic settings; a receptionist without a second factor sets one up at sign-in (QR code, key,
 * first code, recovery codes once) and is asked for a code at the next quick switch.
 */
let portal: TestPortal;
let desk: ConsoleUnderTest | undefined;

const admin = { username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword };
const receptionist = { username: 'frontdesk2fa', password: 'Copper-Kettle-Desk-81' };

test.beforeEach(async () => {
  portal = await startTestPortal();
  const adminToken = (await signInStaff(portal.url, admin.username, admin.password)).token;
  await addStaff(portal.url, adminToken, receptionist.username, 'receptionist', receptionist.password);
});
test.afterEach(async () => {
  await desk?.close();
  desk = undefined;
  await portal.stop();
});

test('the policy turned on in Clinic settings makes a receptionist set up an authenticator app at sign-in, then a quick switch back asks for the code', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, admin);
  await page.getByRole('link', { name: 'Clinic settings' }).click();
  await page.getByLabel('Second factor (authenticator app) at console sign-in').selectOption({ label: 'Required for everyone' });
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Clinic settings saved.')).toBeVisible();

  // The admin's own sign-in stays; the receptionist switches in at the lock screen.
  await page.getByRole('button', { name: 'Lock now' }).click();
  await expect(page.getByRole('heading', { name: 'Console locked' })).toBeVisible();
  await page.getByLabel('Username').fill(receptionist.username);
  await page.getByLabel('Password').fill(receptionist.password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { name: 'Set up your authenticator app' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await page.locator('.secret-key').innerText()).trim();
  await page.getByLabel('Code from your authenticator app').fill(await generate({ secret }));
  await page.getByRole('button', { name: 'Unlock' }).click();
  const recovery = page.getByRole('alertdialog', { name: 'Your recovery codes' });
  await expect(recovery.getByRole('listitem')).toHaveCount(10);
  await recovery.getByRole('button', { name: 'I have saved my recovery codes' }).click();
  await expect(page.getByRole('heading', { name: 'Console locked' })).toBeHidden();

  // The same person unlocking their own console: the password alone.
  await page.getByRole('button', { name: 'Lock now' }).click();
  await page.getByLabel('Username').fill(receptionist.username);
  await page.getByLabel('Password').fill(receptionist.password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { name: 'Console locked' })).toBeHidden();

  // Someone else: the admin (no factor yet, and the policy now covers them) must set one up too.
  await page.getByRole('button', { name: 'Lock now' }).click();
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { name: 'Set up your authenticator app' })).toBeVisible();
  const adminSecret = (await page.locator('.secret-key').innerText()).trim();
  expect(adminSecret).not.toBe(secret);
  await page.getByLabel('Code from your authenticator app').fill(await generate({ secret: adminSecret }));
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('alertdialog', { name: 'Your recovery codes' }).getByRole('button', { name: 'I have saved my recovery codes' }).click();
  await expect(page.getByRole('heading', { name: 'Console locked' })).toBeHidden();

  // A quick switch back to the receptionist asks for their code (not a set-up: they have one).
  await page.getByRole('button', { name: 'Lock now' }).click();
  await page.getByLabel('Username').fill(receptionist.username);
  await page.getByLabel('Password').fill(receptionist.password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  const codeField = page.getByLabel('Code from your authenticator app');
  await expect(codeField).toBeFocused();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeHidden();
  await codeField.fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { name: 'Console locked' })).toBeHidden();
});
