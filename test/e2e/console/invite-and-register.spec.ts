import { expect, test } from '@playwright/test';
import { generate } from 'otplib';
import type { Page } from '@playwright/test';
import { readMails, waitForMail } from '../../fixtures/mail';
import type { TestPortal } from '../../fixtures/portal';
import { TEST_CLINIC, addStaff, signInStaff, startTestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';

/**
 * The walking skeleton, end to end: a receptionist in the console UI (Chromium, `window.api`
 * bridged to the real main process) pre-registers a patient; the real portal server mails the
 * invitation; the patient registers from that email in another tab; the console shows it.
 */
let portal: TestPortal;
let desk: ConsoleUnderTest | undefined;

test.beforeEach(async () => {
  portal = await startTestPortal();
  const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  await addStaff(portal.url, admin.token, 'frontdesk1', 'receptionist', 'Copper-Kettle-Desk-81');
});
test.afterEach(async () => {
  await desk?.close();
  desk = undefined;
  await portal.stop();
});

async function signIn(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Staff sign in' })).toBeVisible();
  await page.getByLabel('Username').fill('frontdesk1');
  await page.getByLabel('Password').fill('Copper-Kettle-Desk-81');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Patients' })).toBeVisible();
}

async function preRegisterMaria(page: Page, email: string): Promise<void> {
  await page.getByRole('button', { name: 'Pre-register patient' }).click();
  await page.getByLabel('Given name').fill('Maria');
  await page.getByLabel('Family name').fill('Lopez');
  await page.getByLabel('Date of birth').fill('04/12/1986');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Save and send invitation' }).click();
  await expect(page.getByRole('heading', { name: 'Maria Lopez' })).toBeVisible();
}

async function registerFromMail(page: Page, link: string, registrationId: string): Promise<void> {
  await page.goto(link);
  await page.getByLabel('Username').fill('MariaLopez86');
  await page.getByLabel('Password', { exact: true }).fill('Password1');
  await page.getByLabel('Re-type Password').fill('Password1');
  await page.getByRole('combobox', { name: 'Security Question 1' }).selectOption({ index: 1 });
  await page.getByLabel('Answer to Security Question 1').fill('Rex');
  await page.getByRole('combobox', { name: 'Security Question 2' }).selectOption({ index: 2 });
  await page.getByLabel('Answer to Security Question 2').fill('Springfield');
  await page.getByLabel('Account Verification 1: Please enter Date of Birth').fill('04/12/1986');
  await page.getByLabel('Account Verification 2: Please enter Registration ID').fill(registrationId);
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('dialog', { name: 'Registration Complete' })).toBeVisible();
}

test('receptionist pre-registers and invites; the patient registers from the email; the console shows "Registered"', async ({ page, context }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page);
  await preRegisterMaria(page, 'maria.console@example.com');

  const invitation = page.getByRole('region', { name: 'Invitation' });
  // The test portal has no SMTP: the mail goes to a folder, and the desk is told so — never "Sent".
  await expect(invitation.getByRole('definition').first()).toHaveText(/Email waiting to go out|Not emailed: outgoing mail is not set up/);
  await expect(page.getByRole('status').filter({ hasText: 'Online' })).toContainText('All changes sent');

  await portal.handle.flushMail();
  const mail = await waitForMail(portal.mailDir, 'maria.console@example.com');
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(invitation.getByRole('definition').first()).toHaveText('Not emailed: outgoing mail is not set up');
  await expect(invitation.getByText('Sent', { exact: true })).toHaveCount(0);
  await expect(invitation.getByText('Written to the mail folder')).toBeVisible();
  const patientTab = await context.newPage();
  await registerFromMail(patientTab, mail.link ?? '', mail.registrationId ?? '');

  // The server pokes the console over its event stream; the console pulls and shows it.
  await page.bringToFront();
  await page.getByRole('link', { name: 'Patients' }).click();
  const row = page.getByRole('row', { name: /Maria Lopez/ });
  await expect(row.getByText('Registered')).toBeVisible();
  await expect(row.getByRole('cell', { name: '04/12/1986' })).toBeVisible();
});

test('server down while the receptionist pre-registers: the change waits, and the invitation goes out once it is back', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page);
  await portal.handle.close();

  await preRegisterMaria(page, 'maria.offline@example.com');
  const status = page.getByRole('status').filter({ hasText: /Online|Offline/ });
  await expect(status).toContainText('Offline');
  await expect(status).toContainText('1 change waiting');
  await page.getByRole('link', { name: 'Patients' }).click();
  await expect(page.getByRole('row', { name: /Maria Lopez/ }).getByText(/waiting to send/i).first()).toBeVisible();
  expect(await readMails(portal.mailDir)).toHaveLength(0);

  await portal.restart();
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(status).toContainText('Online');
  await expect(status).toContainText('All changes sent');
  await expect(page.getByRole('row', { name: /Maria Lopez/ }).getByText(/Email waiting to go out|Not emailed: outgoing mail is not set up/)).toBeVisible();
  await portal.handle.flushMail();
  await waitForMail(portal.mailDir, 'maria.offline@example.com');
  await page.getByRole('button', { name: 'Sync now' }).click();
  const maria = page.getByRole('row', { name: /Maria Lopez/ });
  await expect(maria.getByText('Not emailed: outgoing mail is not set up')).toBeVisible();
  await expect(maria.getByText('Sent', { exact: true })).toHaveCount(0);
  // Exactly one invitation, however many times the console retried while the server was down.
  expect((await readMails(portal.mailDir)).filter((m) => m.to.includes('maria.offline@example.com'))).toHaveLength(1);
});

test('first run: the console hosting an empty server creates the clinic and its admin, who adds a receptionist', async ({ page }) => {
  const fresh = await startTestPortal({ setUp: false });
  try {
    desk = await openConsole(page, { serverUrl: fresh.url, host: fresh.handle });
    await expect(page.getByRole('heading', { name: 'Set up your clinic' })).toBeVisible();
    await page.getByLabel('Clinic name').fill('Harbor Health');
    await page.getByLabel('Clinic phone').fill('(555) 222-3333');
    await page.getByLabel('Clinic address').fill('3 Dock Street');
    await page.getByLabel('Admin display name').fill('Hana Admin');
    await page.getByLabel('Admin username').fill('hanaadmin');
    await page.getByLabel('Admin password').fill('Harbor-Tide-Anchor-58');
    await page.getByRole('button', { name: 'Continue' }).click();

    // A new clinic requires a second factor for admins: the first admin sets up the app now.
    await expect(page.getByRole('heading', { name: 'Set up your authenticator app' })).toBeVisible();
    await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
    const secret = (await page.locator('.secret-key').innerText()).trim();
    await page.getByLabel('Code from your authenticator app').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Create clinic' }).click();
    const recovery = page.getByRole('alertdialog', { name: 'Your recovery codes' });
    await expect(recovery.getByRole('listitem')).toHaveCount(10);
    await recovery.getByRole('button', { name: 'I have saved my recovery codes' }).click();

    await expect(page.getByRole('heading', { name: 'Staff sign in' })).toBeVisible();
    await page.getByLabel('Password').fill('Harbor-Tide-Anchor-58');
    if ((await page.getByLabel('Username').inputValue()) === '') {
      await page.getByLabel('Username').fill('hanaadmin');
    }
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The code is asked next to the password; setup used this step's code, so the next step's.
    await page.getByLabel('Code from your authenticator app').fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Staff' }).click();
    await expect(page.getByRole('heading', { name: 'Staff' })).toBeVisible();
    await page.getByLabel('Display name').fill('Dana Reyes');
    await page.getByLabel('Username').fill('dreyes');
    await page.getByLabel('Role').selectOption({ label: 'Receptionist' });
    await page.getByLabel('Initial password').fill('Copper-Kettle-Desk-81');
    await page.getByRole('button', { name: 'Add staff member' }).click();
    await expect(page.getByRole('row', { name: /Dana Reyes/ })).toBeVisible();
    expect((await signInStaff(fresh.url, 'dreyes', 'Copper-Kettle-Desk-81')).staff.role).toBe('receptionist');
  } finally {
    await desk?.close();
    desk = undefined;
    await fresh.stop();
  }
});
