import { expect, test } from '@playwright/test';
import { RECORD_KINDS, RECORD_KIND_LABELS } from '../../../shared/domain/record';
import { recordBundle } from './portalData';
import { mockPortal, openPage, usePortalServer } from './portalMock';

/** The medical record: every section with its heading, tables, plain empty sections, flags in words, print. */

const url = usePortalServer(test);

test('every section has its heading; tables are named by it and have headers', async ({ page }) => {
  await mockPortal(page);
  await openPage(page, url('/record'), 'Medical Record');

  for (const kind of RECORD_KINDS) {
    await expect(page.getByRole('heading', { level: 2, name: RECORD_KIND_LABELS[kind] })).toBeVisible();
  }
  const medications = page.getByRole('table', { name: 'Medications' });
  await expect(medications.getByRole('columnheader')).toHaveText(['Medication', 'Dose', 'Instructions', 'Prescribed by', 'Refills left', 'Status']);
  await expect(medications.getByRole('rowheader')).toHaveText(['Lisinopril', 'Metformin', 'Amoxicillin']);
  await expect(medications.getByRole('row', { name: /Amoxicillin/ })).toContainText('Stopped');

  // Calendar dates as mm/dd/yyyy, straight from YYYY-MM-DD.
  await expect(page.getByRole('table', { name: 'Problems' }).getByRole('row', { name: /High blood pressure/ })).toContainText('03/09/2021');
  await expect(page.getByRole('table', { name: 'Immunizations' })).toContainText('10/02/2025');

  // A visit summary keeps its line breaks.
  await expect(page.getByRole('table', { name: 'Visit summaries' }).getByRole('cell', { name: /Pressure 128\/82/ })).toHaveText(
    'Pressure 128/82.\nKeep taking lisinopril.',
  );
});

test('an empty section says so plainly, and an abnormal lab value is marked in words', async ({ page }) => {
  await mockPortal(page);
  await openPage(page, url('/record'), 'Medical Record');

  const allergies = page.getByRole('region', { name: 'Allergies' });
  await expect(allergies).toContainText('No allergies on file.');
  await expect(allergies.getByRole('table')).toHaveCount(0);

  const labs = page.getByRole('table', { name: 'Lab results' });
  await expect(labs.getByRole('columnheader')).toHaveText(['Test', 'Date', 'Result', 'Reference range', 'Flag']);
  const ldl = labs.getByRole('row', { name: /LDL cholesterol/ });
  await expect(ldl.getByRole('cell').last()).toHaveText('▲ High (above range)');
  await expect(ldl.getByRole('cell').last()).toHaveAccessibleName('High (above range)');
  await expect(labs.getByRole('row', { name: /Hemoglobin A1c/ }).getByRole('cell').last()).toHaveText('Normal');
});

test('a record with nothing in it says so for every section', async ({ page }) => {
  const empty = recordBundle();
  for (const kind of RECORD_KINDS) {
    empty[kind] = [];
  }
  await mockPortal(page, { record: empty });
  await openPage(page, url('/record'), 'Medical Record');
  for (const text of ['No problems on file.', 'No medications on file.', 'No allergies on file.', 'No immunizations on file.', 'No lab results on file.', 'No visit summaries on file.']) {
    await expect(page.getByText(text)).toBeVisible();
  }
  await expect(page.getByRole('table')).toHaveCount(0);
});

test('Print record prints the whole record without the navigation or buttons', async ({ page }) => {
  await page.addInitScript('window.print = () => { window.__printed = (window.__printed || 0) + 1; };');
  await mockPortal(page);
  await openPage(page, url('/record'), 'Medical Record');
  await page.getByRole('button', { name: 'Print record' }).click();
  expect(await page.evaluate<number>('window.__printed || 0')).toBe(1);

  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Print record' })).toBeHidden();
  await expect(page.getByRole('main')).toContainText('William Hart · Maple Street Family Clinic · Printed');
  for (const kind of RECORD_KINDS) {
    await expect(page.getByRole('heading', { level: 2, name: RECORD_KIND_LABELS[kind] })).toBeVisible();
  }
  await expect(page.getByRole('table', { name: 'Lab results' }).getByRole('columnheader', { name: 'Flag' })).toBeVisible();
});

test('when the record cannot be loaded the page says so, and Retry loads it', async ({ page }) => {
  const mock = await mockPortal(page);
  mock.answerOnce('POST /api/record/view', { status: 500, body: { error: { code: 'internal', message: 'Something went wrong on our side. Try again in a moment.' } } });
  await openPage(page, url('/record'), 'Medical Record');
  await expect(page.getByRole('alert')).toHaveText('Something went wrong on our side. Try again in a moment.');
  await expect(page.getByRole('button', { name: 'Print record' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Retry' }).press('Enter');
  await expect(page.getByRole('table', { name: 'Medications' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});
