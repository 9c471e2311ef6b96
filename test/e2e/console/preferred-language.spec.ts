import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { PatientEntity } from '../../../shared/node/entities/server';
import type { TestPortal } from '../../fixtures/portal';
import { TEST_CLINIC, addStaff, signInStaff, startTestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';

/**
 * Issue 15, item 2: the desk sets the patient's language at pre-registration. In the console UI
 * (Chromium, `window.api` bridged to the real main process) against the real portal server.
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

const serverLanguage = async (email: string) => (await portal.handle.context.db.read((m) => m.findOneBy(PatientEntity, { email })))?.language;

test('the desk chooses Español at pre-registration; the patient page shows it, the server has it, an edit sets it back to not chosen', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page);
  await page.getByRole('button', { name: 'Pre-register patient' }).click();
  const language = page.getByRole('combobox', { name: 'Preferred language' });
  // Not chosen unless the desk asks: the patient's browser decides.
  await expect(language.locator('option:checked')).toHaveText("Not chosen (the patient's browser decides)");
  await expect(language.locator('option')).toHaveText(["Not chosen (the patient's browser decides)", 'English', 'Español']);

  await page.getByLabel('Given name').fill('Maria');
  await page.getByLabel('Family name').fill('Lopez');
  await page.getByLabel('Date of birth').fill('04/12/1986');
  await page.getByLabel('Email').fill('maria.idioma@example.com');
  await language.selectOption({ label: 'Español' });
  await page.getByRole('button', { name: 'Save and send invitation' }).click();

  await expect(page.getByRole('heading', { name: 'Maria Lopez' })).toBeVisible();
  await expect(page.getByText('Preferred language: Español')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Online' })).toContainText('All changes sent');
  await expect.poll(() => serverLanguage('maria.idioma@example.com')).toBe('es');
  // The edit form starts from it.
  const edit = page.getByRole('region', { name: 'Edit patient' });
  await expect(edit.getByRole('combobox', { name: 'Preferred language' }).locator('option:checked')).toHaveText('Español');

  await edit.getByRole('combobox', { name: 'Preferred language' }).selectOption({ label: "Not chosen (the patient's browser decides)" });
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Preferred language: Not chosen')).toBeVisible();
  await expect.poll(() => serverLanguage('maria.idioma@example.com')).toBeNull();
  // After the pull, the page still says so (the server's row, not only the local edit).
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Online' })).toContainText('All changes sent');
  await expect(page.getByText('Preferred language: Not chosen')).toBeVisible();
});
