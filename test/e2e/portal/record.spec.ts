import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { RECORD_KINDS, RECORD_KIND_LABELS } from '../../../shared/domain/record';
import { TEST_CLINIC } from '../../fixtures/portal';
import type { RealPortal } from './realPatients';
import { fillRecord, openPage, signInThroughPage, startRealPortal } from './realPatients';

/** The medical record: every section with its heading, tables, plain empty sections, flags in words, print (real server). */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});

/** A patient whose physician has filled in their chart, signed in on the Medical Record page. */
async function openFilledRecord(page: Page, familyName?: string): Promise<void> {
  const pat = await real.newPatient('William', familyName);
  await fillRecord(real, pat);
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await openPage(page, `${real.portal.url}/record`, 'Medical Record');
}

test('every section has its heading; tables are named by it and have headers', async ({ page }) => {
  await openFilledRecord(page);

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
  await openFilledRecord(page);

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
  const pat = await real.newPatient('Nora');
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await openPage(page, `${real.portal.url}/record`, 'Medical Record');
  for (const text of ['No problems on file.', 'No medications on file.', 'No allergies on file.', 'No immunizations on file.', 'No lab results on file.', 'No visit summaries on file.']) {
    await expect(page.getByText(text)).toBeVisible();
  }
  await expect(page.getByRole('table')).toHaveCount(0);
});

test('Print record prints the whole record without the navigation or buttons', async ({ page }) => {
  await page.addInitScript('window.print = () => { window.__printed = (window.__printed || 0) + 1; };');
  await openFilledRecord(page, 'Hart');
  await page.getByRole('button', { name: 'Print record' }).click();
  await expect.poll(() => page.evaluate<number>('window.__printed || 0')).toBe(1);

  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Print record' })).toBeHidden();
  await expect(page.getByRole('main')).toContainText(`William Hart · ${TEST_CLINIC.name} · Printed`);
  for (const kind of RECORD_KINDS) {
    await expect(page.getByRole('heading', { level: 2, name: RECORD_KIND_LABELS[kind] })).toBeVisible();
  }
  await expect(page.getByRole('table', { name: 'Lab results' }).getByRole('columnheader', { name: 'Flag' })).toBeVisible();
});

test('when the record cannot be loaded the page says so, and Retry loads it', async ({ page }) => {
  const pat = await real.newPatient('William');
  await fillRecord(real, pat);
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  // Stub: the real server cannot be made to fail one read; the first opening gets a 500, Retry reaches the real server.
  let failed = false;
  await page.route('**/api/record/view', async (route) => {
    if (failed) {
      await route.fallback();
      return;
    }
    failed = true;
    await route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'Something went wrong on our side. Try again in a moment.' } }) });
  });
  await openPage(page, `${real.portal.url}/record`, 'Medical Record');
  await expect(page.getByRole('alert')).toHaveText('Something went wrong on our side. Try again in a moment.');
  await expect(page.getByRole('button', { name: 'Print record' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Retry' }).press('Enter');
  await expect(page.getByRole('table', { name: 'Medications' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});
