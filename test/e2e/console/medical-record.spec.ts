import { expect, test } from '@playwright/test';
import type { RecordBundle } from '../../../shared/domain/record';
import type { TestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { ana, expectAllSent, patientApi, physician, receptionist, signIn, startDemoPortal } from './demoDesk';

/** The medical record on a patient's page in the console, against a real server with the demo clinic. */
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

const patient = (who: { username: string; password: string }) => patientApi(portal, who);

test('a physician keeps the medical record: adds a flagged lab result, edits a medication, removes an allergy; the patient sees the record', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, physician);
  await page.getByRole('link', { name: 'Patients', exact: true }).click();
  await page.getByRole('link', { name: 'Ana Silva' }).click();
  const record = page.getByRole('region', { name: 'Medical record' });
  const labs = record.getByRole('region', { name: 'Lab results' });
  await expect(labs.getByRole('table', { name: 'Lab results' })).toContainText('Low (below range)');

  await labs.getByRole('button', { name: 'Add lab result' }).click();
  const add = page.getByRole('dialog', { name: 'Add lab result' });
  await add.getByRole('button', { name: 'Add lab result' }).click();
  await expect(add.getByText('Enter the test name.')).toBeVisible();
  await add.getByLabel('Test', { exact: true }).fill('Vitamin D');
  await add.getByLabel('Value').fill('52');
  await add.getByLabel('Unit (optional)').fill('ng/mL');
  await add.getByLabel('Reference range (optional)').fill('20–50');
  await add.getByLabel('Flag').selectOption({ label: 'High (above range)' });
  await add.getByRole('button', { name: 'Add lab result' }).click();
  await expect(add).toBeHidden();
  await expect(labs.getByRole('row', { name: /Vitamin D/ })).toContainText('High (above range)');

  const medications = record.getByRole('region', { name: 'Medications' });
  await medications.getByRole('button', { name: 'Edit Ferrous sulfate' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit medication' });
  await edit.getByLabel('Refills left').fill('');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByText('Refills must be a number.')).toBeVisible();
  await edit.getByLabel('Refills left').fill('5');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(medications.getByRole('row', { name: /Ferrous sulfate/ })).toContainText('5');

  const allergies = record.getByRole('region', { name: 'Allergies' });
  await allergies.getByRole('button', { name: 'Remove Latex' }).click();
  await page.getByRole('dialog', { name: 'Remove this allergy?' }).getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(allergies.getByRole('row', { name: /Latex/ })).toHaveCount(0);
  await expect(allergies.getByRole('row', { name: /Peanuts/ })).toBeVisible();
  await expectAllSent(page);

  // The sync bar can still show the previous "All changes sent" for a moment after the last
  // local change: wait until the server has the removal, as the patient would by reloading.
  const ana2 = await patient(ana);
  await expect.poll(async () => (await ana2.post<RecordBundle>('/api/record/view')).body.allergy.map((a) => a.substance)).toEqual(['Peanuts']);
  const seen = await ana2.post<RecordBundle>('/api/record/view');
  expect(seen.body.labResult.find((r) => r.test === 'Vitamin D')).toMatchObject({ value: '52', unit: 'ng/mL', flag: 'high' });
  expect(seen.body.medication.find((m) => m.name === 'Ferrous sulfate')?.refillsLeft).toBe(5);
  expect(seen.body.allergy.map((a) => a.substance)).toEqual(['Peanuts']);
});

test('a receptionist opens the medical record only when asked, and reads it without changing it', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  await page.getByRole('link', { name: 'James Walker' }).click();
  const record = page.getByRole('region', { name: 'Medical record' });
  // Opening a record is an audited look at it: the page alone does not open it for the desk.
  await expect(record.getByRole('table')).toHaveCount(0);
  await expectAllSent(page);
  await record.getByRole('button', { name: 'Open medical record' }).click();
  await expect(record.getByRole('heading', { name: 'Medical record' })).toBeFocused();
  await expect(record.getByText('Only a physician can change the medical record.')).toBeVisible();
  await expect(record.getByRole('table', { name: 'Medications' })).toContainText('Metformin');
  await expect(record.getByRole('button')).toHaveCount(0);
});
