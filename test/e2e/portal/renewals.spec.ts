import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { RenewalView } from '../../../shared/domain/renewal';
import type { PatientClient } from '../../fixtures/patients';
import { TEST_CLINIC } from '../../fixtures/portal';
import type { RealPortal } from './realPatients';
import { addRecordEntry, askRenewal, decideRenewal, fillRecord, openPage, signInThroughPage, startRealPortal } from './realPatients';

/** Prescription renewals: the requests and their answers, and asking for one of the patient's medications (real server). */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});

/** "Tue, Nov 10, 2026" in the clinic's zone (the test's own oracle, not the app's formatter). */
const visitDate = (iso: string) => new Intl.DateTimeFormat('en-US', { timeZone: TEST_CLINIC.timeZone, weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(iso));

/** A patient with a chart, a denied Metformin request and an approved Lisinopril one. */
async function patientWithAnswers(): Promise<{ pat: PatientClient; lisinopril: string; metformin: string; approved: RenewalView }> {
  const pat = await real.newPatient('William');
  const { lisinopril, metformin } = await fillRecord(real, pat);
  await decideRenewal(real, (await askRenewal(pat, metformin)).id, 'denied', 'Please book a visit first: we need a new A1c.');
  const approved = await askRenewal(pat, lisinopril, 'Main St Pharmacy');
  await decideRenewal(real, approved.id, 'approved');
  return { pat, lisinopril, metformin, approved };
}

async function openRenewals(page: Page, pat: PatientClient): Promise<void> {
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await openPage(page, `${real.portal.url}/renewals`, 'Prescription Renewals');
}

test('the list shows each request’s status, and a denial says the physician’s reason', async ({ page }) => {
  const { pat, approved } = await patientWithAnswers();
  await openRenewals(page, pat);
  const list = page.getByRole('table', { name: 'Your renewal requests' });
  await expect(list.getByRole('columnheader')).toHaveText(['Medication', 'Requested', 'Pharmacy', 'Status']);
  await expect(list.getByRole('row', { name: /Metformin/ })).toContainText('Denied');
  await expect(list.getByRole('row', { name: /Metformin/ })).toContainText('Reason from Dr. Sam Patel: Please book a visit first: we need a new A1c.');
  await expect(list.getByRole('row', { name: /Lisinopril/ }).getByRole('cell')).toHaveText([visitDate(approved.requestedAt), 'Main St Pharmacy', 'Approved']);
});

test('a renewal is asked for one of the patient’s active medications; pharmacy and note are optional', async ({ page }) => {
  const pat = await real.newPatient('William');
  const { lisinopril } = await fillRecord(real, pat);
  await openRenewals(page, pat);
  const sent: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/renewals') {
      sent.push(request.postData() ?? '');
    }
  });
  const form = page.getByRole('region', { name: 'Request a renewal' });
  const medication = form.getByRole('combobox', { name: 'Medication' });
  // Stopped medications (Amoxicillin) cannot be renewed.
  await expect(medication.getByRole('option')).toHaveText(['Choose a medication', 'Lisinopril 10 mg', 'Metformin 500 mg']);

  await form.getByRole('button', { name: 'Send renewal request' }).click();
  await expect(medication).toHaveAttribute('aria-invalid', 'true');
  await expect(medication).toBeFocused();
  expect(sent).toHaveLength(0);

  await medication.selectOption({ label: 'Lisinopril 10 mg' });
  await form.getByLabel('Pharmacy (optional)').fill('Oak Ave Pharmacy');
  await form.getByRole('button', { name: 'Send renewal request' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Your renewal request for Lisinopril was sent to your physician.' })).toBeVisible();
  expect(sent.map((body) => JSON.parse(body) as unknown)).toEqual([{ medicationId: lisinopril, pharmacy: 'Oak Ave Pharmacy', note: '' }]);
  // The server has it, as sent.
  expect((await pat.get<RenewalView[]>('/api/renewals')).body).toMatchObject([{ medicationId: lisinopril, pharmacy: 'Oak Ave Pharmacy', note: '', status: 'requested' }]);
  const newest = page.getByRole('table', { name: 'Your renewal requests' }).getByRole('row').nth(1);
  await expect(newest).toContainText('Lisinopril');
  await expect(newest).toContainText('Requested');
  await expect(newest).toContainText('Waiting for your physician.');
  await expect(medication).toHaveValue('');
});

test('a refused request is explained in an alert and nothing is added', async ({ page }) => {
  const { pat, metformin } = await patientWithAnswers();
  await openRenewals(page, pat);
  const rows = page.getByRole('table', { name: 'Your renewal requests' }).getByRole('row');
  await expect(rows).toHaveCount(3);
  // Meanwhile the patient asked for Metformin from another device: the server refuses a second request.
  await askRenewal(pat, metformin);
  const form = page.getByRole('region', { name: 'Request a renewal' });
  await form.getByRole('combobox', { name: 'Medication' }).selectOption({ label: 'Metformin 500 mg' });
  await form.getByLabel('Note (optional)').fill('Running low');
  await form.getByRole('button', { name: 'Send renewal request' }).click();
  await expect(form.getByRole('alert')).toHaveText('You have already asked to renew Metformin. Your doctor will answer that request first.');
  await expect(rows).toHaveCount(3);
  expect((await pat.get<RenewalView[]>('/api/renewals')).body.filter((r) => r.note === 'Running low')).toEqual([]);
});

test('with no requests and no active medications the page says so plainly', async ({ page }) => {
  const pat = await real.newPatient('Nora');
  await addRecordEntry(real, pat, 'medication', { name: 'Amoxicillin', dose: '250 mg', instructions: '', prescriberName: 'Dr. Lee Ng', refillsLeft: 0, active: false });
  await openRenewals(page, pat);
  await expect(page.getByRole('region', { name: 'Your renewal requests' })).toContainText('You have not asked for any renewals yet.');
  await expect(page.getByRole('region', { name: 'Request a renewal' })).toContainText('You have no active medications on file');
  await expect(page.getByRole('combobox', { name: 'Medication' })).toHaveCount(0);
});

test('when the list cannot be loaded, Retry loads it', async ({ page }) => {
  const { pat } = await patientWithAnswers();
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  // Stub: the real server cannot be made unreachable for one call; the first list read gets a 503, Retry reaches the real server.
  let failed = false;
  await page.route('**/api/renewals', async (route) => {
    if (failed || route.request().method() !== 'GET') {
      await route.fallback();
      return;
    }
    failed = true;
    await route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'offline', message: 'The portal is not reachable. Try again in a moment.' } }) });
  });
  await openPage(page, `${real.portal.url}/renewals`, 'Prescription Renewals');
  await expect(page.getByRole('alert')).toHaveText('The portal is not reachable. Try again in a moment.');
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('table', { name: 'Your renewal requests' }).getByRole('row', { name: /Metformin/ })).toContainText('Denied');
});
