import { expect, test } from '@playwright/test';
import type { ClinicPublicInfo, ClinicView } from '../../../shared/domain/clinic';
import type { TestPortal } from '../../fixtures/portal';
import { TEST_CLINIC, addStaff, api, signInStaff, startTestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { signIn } from './demoDesk';

/** An admin changes the clinic's settings in the console UI; they are saved on the real server. */
let portal: TestPortal;
let adminToken: string;
let desk: ConsoleUnderTest | undefined;

const admin = { username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword };
const receptionist = { username: 'frontdesk1', password: 'Copper-Kettle-Desk-81' };

test.beforeEach(async () => {
  portal = await startTestPortal();
  adminToken = (await signInStaff(portal.url, admin.username, admin.password)).token;
  await addStaff(portal.url, adminToken, receptionist.username, 'receptionist', receptionist.password);
});
test.afterEach(async () => {
  await desk?.close();
  desk = undefined;
  await portal.stop();
});

const serverClinic = async () => (await api<{ clinic: ClinicView }>(portal.url, '/api/staff/me', { token: adminToken })).body.clinic;

test('an admin changes the cancellation cutoff, invitation lifetime and password policy; they are saved and shown after a reload', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, admin);
  await page.getByRole('link', { name: 'Clinic settings' }).click();
  await expect(page.getByRole('heading', { name: 'Clinic settings' })).toBeVisible();
  const cutoff = page.getByLabel('Online cancellation cutoff (hours before the appointment)');
  const lifetime = page.getByLabel('Invitation lifetime (days)');
  await expect(page.getByLabel('Clinic name')).toHaveValue(TEST_CLINIC.name);
  await expect(page.getByLabel('Time zone')).toHaveValue(TEST_CLINIC.timeZone);
  await expect(cutoff).toHaveValue('24');
  await expect(lifetime).toHaveValue('14');

  // Out of range: the field says why, and nothing reaches the server.
  await cutoff.fill('200');
  await lifetime.fill('0');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Enter a whole number of hours from 0 to 168.')).toBeVisible();
  await expect(page.getByText('Enter a whole number of days from 1 to 90.')).toBeVisible();
  await expect(lifetime).toBeFocused();
  expect(await serverClinic()).toMatchObject({ appointmentCancelHours: 24, invitationLifetimeDays: 14 });

  await cutoff.fill('48');
  await lifetime.fill('7');
  await page.getByLabel('Clinic name').fill('Maple Street Family Clinic');
  await page.getByLabel('Patient password policy').selectOption({ label: 'Stronger: passphrases of 15+ characters, common passwords refused' });
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Clinic settings saved.' })).toBeVisible();
  // The header follows at once: the saved clinic is the console's clinic.
  await expect(page.getByRole('banner')).toContainText('Maple Street Family Clinic');

  expect(await serverClinic()).toMatchObject({ name: 'Maple Street Family Clinic', appointmentCancelHours: 48, invitationLifetimeDays: 7, passwordPolicy: 'strong' });
  expect((await api<ClinicPublicInfo>(portal.url, '/api/clinic')).body.passwordPolicy).toBe('strong');

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Clinic settings' })).toBeVisible();
  await expect(cutoff).toHaveValue('48');
  await expect(lifetime).toHaveValue('7');
  await expect(page.getByLabel('Patient password policy')).toHaveValue('strong');
  await expect(page.getByLabel('Clinic name')).toHaveValue('Maple Street Family Clinic');
});

test('says so when the server cannot be reached, and keeps the form as typed', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, admin);
  await page.getByRole('link', { name: 'Clinic settings' }).click();
  const port = portal.handle.port;
  await portal.handle.close();
  try {
    await page.getByLabel('Online cancellation cutoff (hours before the appointment)').fill('12');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('alert')).toContainText('The clinic server is not reachable. Clinic settings need a connection.');
    await expect(page.getByLabel('Online cancellation cutoff (hours before the appointment)')).toHaveValue('12');
  } finally {
    portal = await startTestPortal({ dataDir: portal.dataDir, config: { port } });
  }
  expect(await serverClinic()).toMatchObject({ appointmentCancelHours: 24 });
});

test('a receptionist has no "Clinic settings" link and is sent back from its address', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Clinic settings' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Staff' })).toHaveCount(0);

  const settingsUrl = page.url().replace(/#.*$/, '#/settings');
  await page.goto(settingsUrl);
  await expect(page.getByRole('heading', { name: 'Patients' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Clinic settings' })).toHaveCount(0);

  // Loading the console straight onto the address sends a receptionist back too.
  await page.goto('about:blank');
  await page.goto(settingsUrl);
  await expect(page.getByRole('heading', { name: 'Patients' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Clinic settings' })).toHaveCount(0);
});
