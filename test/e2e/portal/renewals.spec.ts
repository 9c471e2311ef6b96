import { expect, test } from '@playwright/test';
import { LISINOPRIL_ID, recordBundle } from './portalData';
import { mockPortal, openPage, usePortalServer } from './portalMock';

/** Prescription renewals: the requests and their answers, and asking for one of the patient's medications. */

const url = usePortalServer(test);

test('the list shows each request’s status, and a denial says the physician’s reason', async ({ page }) => {
  await mockPortal(page);
  await openPage(page, url('/renewals'), 'Prescription Renewals');
  const list = page.getByRole('table', { name: 'Your renewal requests' });
  await expect(list.getByRole('columnheader')).toHaveText(['Medication', 'Requested', 'Pharmacy', 'Status']);
  await expect(list.getByRole('row', { name: /Metformin/ })).toContainText('Denied');
  await expect(list.getByRole('row', { name: /Metformin/ })).toContainText('Reason from Dr. Sam Patel: Please book a visit first: we need a new A1c.');
  await expect(list.getByRole('row', { name: /Lisinopril/ }).getByRole('cell')).toHaveText(['Tue, Nov 10, 2026', 'Main St Pharmacy', 'Approved']);
});

test('a renewal is asked for one of the patient’s active medications; pharmacy and note are optional', async ({ page }) => {
  const mock = await mockPortal(page);
  await openPage(page, url('/renewals'), 'Prescription Renewals');
  const form = page.getByRole('region', { name: 'Request a renewal' });
  const medication = form.getByRole('combobox', { name: 'Medication' });
  // Stopped medications (Amoxicillin) cannot be renewed.
  await expect(medication.getByRole('option')).toHaveText(['Choose a medication', 'Lisinopril 10 mg', 'Metformin 500 mg']);

  await form.getByRole('button', { name: 'Send renewal request' }).click();
  await expect(medication).toHaveAttribute('aria-invalid', 'true');
  await expect(medication).toBeFocused();
  expect(mock.sentTo('POST /api/renewals')).toHaveLength(0);

  await medication.selectOption({ label: 'Lisinopril 10 mg' });
  await form.getByLabel('Pharmacy (optional)').fill('Oak Ave Pharmacy');
  await form.getByRole('button', { name: 'Send renewal request' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Your renewal request for Lisinopril was sent to your physician.' })).toBeVisible();
  expect(mock.sentTo('POST /api/renewals')[0]?.body).toEqual({ medicationId: LISINOPRIL_ID, pharmacy: 'Oak Ave Pharmacy', note: '' });
  const newest = page.getByRole('table', { name: 'Your renewal requests' }).getByRole('row').nth(1);
  await expect(newest).toContainText('Lisinopril');
  await expect(newest).toContainText('Requested');
  await expect(newest).toContainText('Waiting for your physician.');
  await expect(medication).toHaveValue('');
});

test('a refused request is explained in an alert and nothing is added', async ({ page }) => {
  const mock = await mockPortal(page);
  await openPage(page, url('/renewals'), 'Prescription Renewals');
  mock.answerOnce('POST /api/renewals', {
    status: 409,
    body: { error: { code: 'conflict', message: 'You already asked to renew Metformin. Wait for your physician’s answer.' } },
  });
  const form = page.getByRole('region', { name: 'Request a renewal' });
  await form.getByRole('combobox', { name: 'Medication' }).selectOption({ label: 'Metformin 500 mg' });
  await form.getByLabel('Note (optional)').fill('Running low');
  await form.getByRole('button', { name: 'Send renewal request' }).click();
  await expect(form.getByRole('alert')).toHaveText('You already asked to renew Metformin. Wait for your physician’s answer.');
  await expect(page.getByRole('table', { name: 'Your renewal requests' }).getByRole('row')).toHaveCount(3);
});

test('with no requests and no active medications the page says so plainly', async ({ page }) => {
  const record = recordBundle();
  record.medication = record.medication.map((m) => ({ ...m, active: false }));
  await mockPortal(page, { renewals: [], record });
  await openPage(page, url('/renewals'), 'Prescription Renewals');
  await expect(page.getByRole('region', { name: 'Your renewal requests' })).toContainText('You have not asked for any renewals yet.');
  await expect(page.getByRole('region', { name: 'Request a renewal' })).toContainText('You have no active medications on file');
  await expect(page.getByRole('combobox', { name: 'Medication' })).toHaveCount(0);
});

test('when the list cannot be loaded, Retry loads it', async ({ page }) => {
  const mock = await mockPortal(page);
  mock.answerOnce('GET /api/renewals', { status: 503, body: { error: { code: 'offline', message: 'The portal is not reachable. Try again in a moment.' } } });
  await openPage(page, url('/renewals'), 'Prescription Renewals');
  await expect(page.getByRole('alert')).toHaveText('The portal is not reachable. Try again in a moment.');
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('table', { name: 'Your renewal requests' })).toBeVisible();
});
