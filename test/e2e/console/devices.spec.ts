import { expect, test } from '@playwright/test';
import type { TestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { DEMO, receptionist, signIn, startDemoPortal } from './demoDesk';

/** The admin's list of signed-in consoles: revoking one signs it out at its next sync. */
let portal: TestPortal;
const consoles: ConsoleUnderTest[] = [];

test.beforeEach(async () => {
  portal = await startDemoPortal();
});
test.afterEach(async () => {
  for (const c of consoles.splice(0)) {
    await c.close();
  }
  await portal.stop();
});

test('an admin revokes the front desk’s console; its next sync sends it back to sign-in', async ({ page, context }) => {
  const deskPage = await context.newPage();
  consoles.push(await openConsole(deskPage, { serverUrl: portal.url, deviceName: 'Front desk 1' }));
  await signIn(deskPage, receptionist);

  consoles.push(await openConsole(page, { serverUrl: portal.url, deviceName: 'Back office' }));
  await signIn(page, DEMO.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  await expect(page.getByRole('heading', { name: 'Devices', level: 1 })).toBeVisible();
  const table = page.getByRole('table', { name: 'Signed-in consoles' });
  const deskRow = table.getByRole('row', { name: /Front desk 1/ });
  await expect(deskRow).toContainText('Dana Reyes');
  await expect(deskRow).toContainText('Active');
  await expect(table.getByRole('row', { name: /Back office/ })).toContainText('(this console)');

  // Cancel first: nothing happens.
  await deskRow.getByRole('button', { name: 'Revoke Front desk 1 (Dana Reyes)' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this console?' });
  await expect(dialog).toContainText('Front desk 1 (Dana Reyes) stops working at once');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(deskRow).toContainText('Active');

  await deskRow.getByRole('button', { name: 'Revoke Front desk 1 (Dana Reyes)' }).click();
  await dialog.getByRole('button', { name: 'Revoke console' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is revoked' })).toContainText('Front desk 1 (Dana Reyes) is revoked.');
  await expect(deskRow).toContainText('Revoked');
  await expect(deskRow.getByRole('button')).toHaveCount(0);

  // The desk's next sync finds its key refused and goes back to the sign-in screen.
  await deskPage.getByRole('button', { name: 'Sync now' }).click();
  await expect(deskPage.getByRole('heading', { name: 'Staff sign in' })).toBeVisible();
  await expect(deskPage.locator('body')).not.toContainText('James Walker');
});

test('the idle-lock time of this computer is an admin’s setting, checked before it is saved', async ({ page }) => {
  consoles.push(await openConsole(page, { serverUrl: portal.url }));
  await signIn(page, DEMO.admin);
  await page.getByRole('link', { name: 'Devices' }).click();
  const section = page.getByRole('region', { name: 'This computer' });
  await expect(section.getByLabel('Lock after (minutes)')).toHaveValue('10');
  await section.getByLabel('Lock after (minutes)').fill('0');
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(section.getByText('Enter a whole number of minutes from 1 to 60.')).toBeVisible();
  await section.getByLabel('Lock after (minutes)').fill('5');
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(section.getByRole('status')).toHaveText('This console now locks after 5 minutes without activity.');
  expect((await consoles[0]?.core.services.auth.status())?.idleLockSeconds).toBe(300);
});
