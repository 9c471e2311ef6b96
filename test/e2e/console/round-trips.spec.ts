import { expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { todayInZone } from '../../../shared/time/dateOnly';
import type { TestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { DEMO, ana, expectAllSent, james, physician, receptionist, signIn, startDemoPortal } from './demoDesk';

/**
 * Each patient round trip with both people in Chromium: the patient acts in the patient portal's
 * pages, staff answer in the console's pages (window.api bridged to the real main process), and
 * the patient sees the answer in the portal — through the real server, sync and event stream.
 */
let portal: TestPortal;
let desk: ConsoleUnderTest | undefined;

test.beforeEach(async () => {
  portal = await startDemoPortal();
});
test.afterEach(async () => {
  await desk?.close();
  desk = undefined;
  await portal.stop();
});

/** The patient's own browser (its own cookies), signed in to the portal. */
async function patientBrowser(browser: Browser, who: { username: string; password: string }): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${portal.url}/sign-in`);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { name: /^Welcome,/ })).toBeVisible();
  return page;
}

function weekdayAhead(days: number): string {
  const day = new Date(`${todayInZone(DEMO.clinic.timeZone)}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6) {
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return day.toISOString().slice(0, 10);
}

test('appointment: the patient requests one, the receptionist schedules it, the patient sees it scheduled', async ({ page, browser }) => {
  const patient = await patientBrowser(browser, james);
  await patient.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Appointments' }).click();
  await patient.getByLabel('Reason').fill('Sore shoulder after gardening');
  await patient.getByLabel('Preferred days and times').fill('Tuesday or Thursday mornings');
  await patient.getByRole('button', { name: 'Send request' }).click();
  await expect(patient.getByRole('region', { name: 'Requests and proposed times' })).toContainText('Sore shoulder after gardening');

  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  await page.getByRole('link', { name: /^Appointments/ }).click();
  const row = page.getByRole('row', { name: /Sore shoulder after gardening/ });
  await row.getByRole('button', { name: /^Schedule/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Schedule appointment for James Walker' });
  await dialog.getByLabel('Physician').selectOption({ label: physician.displayName });
  await dialog.getByLabel('Date').fill(weekdayAhead(9));
  await dialog.getByLabel('Time').fill('10:30');
  await dialog.getByLabel('Length').selectOption({ label: '20 minutes' });
  await dialog.getByRole('button', { name: 'Schedule appointment' }).click();
  await expect(dialog).toBeHidden();
  await expectAllSent(page);

  await patient.reload();
  const upcoming = patient.getByRole('region', { name: 'Upcoming appointments' });
  const booked = upcoming.getByRole('row', { name: /Sore shoulder after gardening/ });
  await expect(booked).toContainText('Scheduled');
  await expect(booked).toContainText(physician.displayName);
  await expect(booked).toContainText(/10:30 AM E[SD]T/);
});

test('renewal: the patient asks, the physician approves, the patient sees it approved', async ({ page, browser }) => {
  const patient = await patientBrowser(browser, james);
  await patient.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Prescription Renewals' }).click();
  const medication = patient.getByLabel('Medication');
  await medication.selectOption({ index: 1 });
  const medicationName = ((await medication.locator('option:checked').textContent()) ?? '').trim();
  await patient.getByLabel('Pharmacy (optional)').fill('Main Street Pharmacy');
  await patient.getByRole('button', { name: 'Send renewal request' }).click();
  const list = patient.getByRole('region', { name: 'Your renewal requests' });
  await expect(list.getByRole('row', { name: new RegExp(medicationName.split(' ')[0] ?? '') }).first()).toContainText('Requested');

  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, physician);
  await page.getByRole('link', { name: /^Renewals/ }).click();
  const row = page.getByRole('row', { name: /James Walker/ }).filter({ hasText: 'Main Street Pharmacy' });
  await row.getByRole('button', { name: /^Approve/ }).click();
  const dialog = page.getByRole('dialog', { name: /^Approve renewal/ });
  await dialog.getByRole('button', { name: 'Approve renewal' }).click();
  await expect(dialog).toBeHidden();
  await expectAllSent(page);

  await patient.reload();
  const decided = patient.getByRole('region', { name: 'Your renewal requests' }).getByRole('row').filter({ hasText: 'Main Street Pharmacy' });
  await expect(decided).toContainText('Approved');
});

test('message: the patient writes, the physician replies, the patient reads the reply', async ({ page, browser }) => {
  const patient = await patientBrowser(browser, ana);
  await patient.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Messages/ }).click();
  await patient.getByLabel('Subject').fill('Question about my inhaler');
  await patient.getByRole('textbox', { name: 'Message' }).fill('How many puffs a day is too many?');
  await patient.getByRole('button', { name: 'Send message' }).click();
  await expect(patient.getByRole('region', { name: 'Your conversations' }).getByRole('link', { name: 'Question about my inhaler' })).toBeVisible();

  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, physician);
  await page.getByRole('link', { name: /^Messages/ }).click();
  await page.getByRole('radio', { name: 'Unassigned' }).check();
  await page.getByRole('row', { name: /Question about my inhaler/ }).getByRole('link', { name: 'Question about my inhaler' }).click();
  await page.getByLabel('Reply').fill('More than 8 puffs a day: call us the same day.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await expect(page.getByLabel('Reply')).toHaveValue('');
  await expectAllSent(page);

  await patient.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Messages/ }).click();
  await patient.getByRole('link', { name: /Question about my inhaler/ }).click();
  const conversation = patient.getByRole('list', { name: 'Messages in this conversation' });
  await expect(conversation).toContainText('More than 8 puffs a day: call us the same day.');
  await expect(conversation).toContainText(physician.displayName);
});
