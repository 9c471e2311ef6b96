import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { AppointmentsView } from '../../../shared/api/patient';
import type { PatientSessionView } from '../../../shared/api/types';
import { CSRF_HEADER } from '../../../shared/api/types';
import type { AppointmentView } from '../../../shared/domain/appointment';
import type { PatientClient, StaffDesk } from '../../fixtures/patients';
import { TEST_CLINIC, api } from '../../fixtures/portal';
import type { RealPortal } from './realPatients';
import { FAR_VISIT, bookVisit, openPage, signInThroughPage, startRealPortal } from './realPatients';

/** Appointments: lists in the clinic's zone, requesting one, cancelling under the clinic's rule, answering a proposal (real server). */
let real: RealPortal;
let drNg: StaffDesk;
test.beforeAll(async () => {
  real = await startRealPortal();
  drNg = await real.team.add('drng', 'Dr. Lee Ng', 'physician');
});
test.afterAll(async () => {
  await real.portal.stop();
});

const HOUR = 3_600_000;
const zone = TEST_CLINIC.timeZone;
/** The test's own oracle for the page's dates and times (not the app's formatter): "Thu, Dec 5, 2030" and "9:30 AM CST". */
const visitDate = (iso: string) => new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(iso));
const timeWithZone = (iso: string) => new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(new Date(iso));
const day = (n: number, from = FAR_VISIT) => new Date(Date.parse(from) + n * 24 * HOUR).toISOString();
/** A whole-hour start `hours` from now: inside the clinic's 24-hour cancel cut-off when under 24. */
const soon = (hours: number) => {
  const d = new Date(Date.now() + hours * HOUR);
  d.setUTCMinutes(0, 0, 0);
  return d.toISOString();
};

/** The patient asks for a visit, as their browser would; the desk may then offer Dr. Ng at `proposal`. */
async function requestVisit(pat: PatientClient, reason: string, proposal?: string): Promise<AppointmentView> {
  const res = await pat.post<AppointmentView>('/api/appointments', { reason, preferredPhysicianId: null, preferredTimes: 'Weekday mornings' });
  expect(res.status).toBe(201);
  if (proposal) {
    const outcome = await real.team.desk.apply('proposeAppointment', { appointmentId: res.body.id, physicianId: drNg.id, start: proposal, durationMinutes: 30, note: 'Dr. Ng is free that afternoon.', baseVersion: 1 });
    expect(outcome.status).toBe('applied');
  }
  return res.body;
}

/**
 * A visit that took place: booked while the server's clock said October 1, 2026, then completed
 * at the real time (a visit cannot be booked in the past).
 */
async function pastVisit(pat: PatientClient, start: string, reason: string): Promise<void> {
  const ctx = real.portal.handle.context;
  const realNow = ctx.now;
  ctx.now = () => new Date('2026-10-01T12:00:00.000Z');
  let id: string;
  try {
    id = await bookVisit(real, pat, start, reason);
  } finally {
    ctx.now = realNow;
  }
  expect((await real.team.desk.apply('completeAppointment', { appointmentId: id, baseVersion: 1 })).status).toBe('applied');
}

async function openAppointments(page: Page, pat: PatientClient): Promise<void> {
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await openPage(page, `${real.portal.url}/appointments`, 'Appointments');
}

/** The bodies and CSRF headers of what the page POSTs to `path`. */
function watchPosts(page: Page, path: string): { body: unknown; csrf: string | undefined }[] {
  const sent: { body: unknown; csrf: string | undefined }[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === path) {
      sent.push({ body: request.postDataJSON(), csrf: request.headers()[CSRF_HEADER] });
    }
  });
  return sent;
}

test('upcoming and past appointments show date, time with the zone named, physician, reason and status', async ({ page }) => {
  const pat = await real.newPatient('William');
  await bookVisit(real, pat, FAR_VISIT, 'Blood pressure check');
  // 2:00 PM CST on Tuesday, December 10, 2030.
  await requestVisit(pat, 'Knee pain', '2030-12-10T20:00:00.000Z');
  // 9:00 AM CDT on Thursday, October 15, 2026.
  await pastVisit(pat, '2026-10-15T14:00:00.000Z', 'Yearly check-up');
  await openAppointments(page, pat);
  await expect(page.getByRole('main')).toContainText('Times are shown in the clinic’s time zone (Central Time).');

  const upcoming = page.getByRole('table', { name: 'Upcoming appointments' });
  await expect(upcoming.getByRole('columnheader')).toHaveText(['Date', 'Time', 'Physician', 'Reason', 'Status', 'Cancel online']);
  const checkUp = upcoming.getByRole('row', { name: /Thu, Dec 5, 2030/ });
  await expect(checkUp.getByRole('cell')).toHaveText(['9:30 AM CST', 'Dr. Sam Patel', 'Blood pressure check', 'Scheduled', /Cancel/]);

  const past = page.getByRole('table', { name: 'Past appointments' });
  await expect(past.getByRole('row', { name: /Thu, Oct 15, 2026/ }).getByRole('cell')).toHaveText(['9:00 AM CDT', 'Dr. Sam Patel', 'Yearly check-up', 'Completed']);

  const open = page.getByRole('region', { name: 'Requests and proposed times' });
  await expect(open).toContainText('Status: New time proposed');
  await expect(open).toContainText('The clinic proposes Tue, Dec 10, 2030 at 2:00 PM CST with Dr. Lee Ng.');
  await expect(open).toContainText('From the clinic: Dr. Ng is free that afternoon.');
});

test('with no appointments each list says so', async ({ page }) => {
  const pat = await real.newPatient('Nora');
  await openAppointments(page, pat);
  await expect(page.getByRole('region', { name: 'Upcoming appointments' })).toContainText('You have no upcoming appointments.');
  await expect(page.getByRole('region', { name: 'Requests and proposed times' })).toContainText('You have no open appointment requests.');
  await expect(page.getByRole('region', { name: 'Past appointments' })).toContainText('You have no past appointments.');
  await expect(page.getByRole('table')).toHaveCount(0);
});

test('the request form checks its fields with the shared rules and sends nothing until they are right', async ({ page }) => {
  const pat = await real.newPatient('William');
  await openAppointments(page, pat);
  const sent = watchPosts(page, '/api/appointments');
  const form = page.getByRole('region', { name: 'Request an appointment' });
  await form.getByRole('button', { name: 'Send request' }).click();

  const reason = form.getByLabel('Reason');
  await expect(reason).toHaveAttribute('aria-invalid', 'true');
  await expect(reason).toHaveAccessibleDescription(/Enter the reason for your visit\./);
  await expect(form.getByLabel('Preferred days and times')).toHaveAccessibleDescription(/Enter the days and times that suit you\./);
  await expect(reason).toBeFocused();

  await reason.fill('x'.repeat(201));
  await reason.blur();
  await expect(reason).toHaveAccessibleDescription(/Keep it under 200 characters\./);
  expect(sent).toHaveLength(0);
  expect((await pat.get<AppointmentsView>('/api/appointments')).body.open).toEqual([]);
});

test('a valid request is sent with the chosen physician, announced, and listed as requested', async ({ page }) => {
  const pat = await real.newPatient('William');
  await openAppointments(page, pat);
  const sent = watchPosts(page, '/api/appointments');
  const form = page.getByRole('region', { name: 'Request an appointment' });
  const physician = form.getByRole('combobox', { name: 'Preferred physician' });
  // The clinic's active physicians, by name.
  await expect(physician.getByRole('option')).toHaveText(['Any physician', 'Dr. Lee Ng', 'Dr. Sam Patel']);
  await expect(physician).toHaveValue('');

  await form.getByLabel('Reason').fill('Sore throat');
  await physician.selectOption({ label: 'Dr. Lee Ng' });
  await form.getByLabel('Preferred days and times').fill('Mondays after 3 pm');
  await form.getByRole('button', { name: 'Send request' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Your request was sent.' })).toBeVisible();
  const session = (await (await page.request.get(`${real.portal.url}/api/session`)).json()) as PatientSessionView;
  expect(sent).toEqual([{ body: { reason: 'Sore throat', preferredPhysicianId: drNg.id, preferredTimes: 'Mondays after 3 pm' }, csrf: session.csrfToken }]);
  await expect(page.getByRole('region', { name: 'Requests and proposed times' }).getByRole('heading', { name: 'Sore throat' })).toBeVisible();
  await expect(form.getByLabel('Reason')).toHaveValue('');

  // "Any physician" is sent as null.
  await form.getByLabel('Reason').fill('Check-up');
  await form.getByLabel('Preferred days and times').fill('Any time');
  await form.getByRole('button', { name: 'Send request' }).click();
  await expect.poll(() => sent.length).toBe(2);
  expect(sent[1]?.body).toMatchObject({ preferredPhysicianId: null });
  await expect(page.getByRole('region', { name: 'Requests and proposed times' }).getByRole('heading', { name: 'Check-up' })).toBeVisible();
  // The clinic has both, as sent.
  const open = (await pat.get<AppointmentsView>('/api/appointments')).body.open;
  expect(open.map((a) => [a.reason, a.preferredTimes, a.status]).sort()).toEqual([['Check-up', 'Any time', 'requested'], ['Sore throat', 'Mondays after 3 pm', 'requested']]);
});

test('the server’s field errors land on their fields, other refusals in one alert', async ({ page }) => {
  const leaving = await real.team.add('drleaving', 'Dr. Kim Leaving', 'physician');
  const pat = await real.newPatient('William');
  await openAppointments(page, pat);
  const form = page.getByRole('region', { name: 'Request an appointment' });
  await form.getByLabel('Reason').fill('Sore throat');
  await form.getByLabel('Preferred days and times').fill('Mondays');
  await form.getByRole('combobox', { name: 'Preferred physician' }).selectOption({ label: 'Dr. Kim Leaving' });

  // The physician leaves the clinic while the form is open: the server refuses that field.
  expect((await api(real.portal.url, `/api/staff/users/${leaving.id}`, { method: 'PATCH', token: real.team.admin.console.token, body: { active: false } })).status).toBe(200);
  await form.getByRole('button', { name: 'Send request' }).click();
  const physician = form.getByRole('combobox', { name: 'Preferred physician' });
  await expect(physician).toHaveAttribute('aria-invalid', 'true');
  await expect(physician).toHaveAccessibleDescription(/Choose a physician from the list\./);
  await expect(physician).toBeFocused();
  expect((await pat.get<AppointmentsView>('/api/appointments')).body.open).toEqual([]);

  // Five requests already waiting (sent from another device): the server refuses a sixth, in one alert.
  for (const reason of ['One', 'Two', 'Three', 'Four', 'Five']) {
    await requestVisit(pat, reason);
  }
  await physician.selectOption({ label: 'Any physician' });
  await form.getByRole('button', { name: 'Send request' }).click();
  await expect(form.getByRole('alert')).toHaveText(`You already have 5 requests waiting for the clinic. Please wait for an answer, or call ${TEST_CLINIC.name} at ${TEST_CLINIC.phone}.`);
  await expect(form.getByRole('alert')).toBeFocused();
  await expect(page.getByRole('status').filter({ hasText: 'Your request was sent.' })).toHaveCount(0);
  expect((await pat.get<AppointmentsView>('/api/appointments')).body.open.map((a) => a.reason)).not.toContain('Sore throat');
});

test('cancelling asks first; only appointments outside the clinic’s cut-off can be cancelled online', async ({ page }) => {
  const pat = await real.newPatient('William');
  const visit = day(1);
  const visitId = await bookVisit(real, pat, visit, 'Blood pressure check');
  const flu = soon(5);
  await bookVisit(real, pat, flu, 'Flu shot');
  await openAppointments(page, pat);
  const sent = watchPosts(page, `/api/appointments/${visitId}/cancel`);
  const upcoming = page.getByRole('table', { name: 'Upcoming appointments' });

  // Too close: no button, and the clinic's rule is explained.
  const fluRow = upcoming.getByRole('row', { name: /Flu shot/ });
  await expect(fluRow).toContainText(visitDate(flu));
  await expect(fluRow.getByRole('button')).toHaveCount(0);
  await expect(fluRow).toContainText('Too close to cancel online: please call the clinic.');
  await expect(page.getByRole('region', { name: 'Upcoming appointments' })).toContainText(
    `You can cancel online until 24 hours before an appointment. After that, please call ${TEST_CLINIC.name} at ${TEST_CLINIC.phone}.`,
  );

  const cancel = upcoming.getByRole('button', { name: `Cancel appointment on ${visitDate(visit)}` });
  await cancel.click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this appointment?' });
  await expect(dialog).toContainText(`${visitDate(visit)} at ${timeWithZone(visit)} with Dr. Sam Patel`);
  await expect(dialog.getByRole('button', { name: 'Keep appointment' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(cancel).toBeFocused();
  expect(sent).toHaveLength(0);

  await cancel.press('Enter');
  await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your appointment was cancelled.' })).toBeVisible();
  expect(sent).toHaveLength(1);
  await expect(upcoming.getByRole('row', { name: new RegExp(visitDate(visit)) })).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Past appointments' }).getByRole('row', { name: new RegExp(visitDate(visit)) })).toContainText('Cancelled');
  const after = (await pat.get<AppointmentsView>('/api/appointments')).body;
  expect(after.past.find((a) => a.id === visitId)?.status).toBe('cancelled');
});

test('a refused cancel (too late by now) is said in an alert and the appointment stays', async ({ page }) => {
  const pat = await real.newPatient('William');
  // Just outside the 24-hour cut-off when the page opens...
  const start = new Date(Date.now() + 24 * HOUR + 4 * 60_000);
  start.setUTCSeconds(0, 0);
  const visitId = await bookVisit(real, pat, start.toISOString(), 'Blood pressure check');
  await openAppointments(page, pat);
  const cancel = page.getByRole('button', { name: `Cancel appointment on ${visitDate(start.toISOString())}` });
  await expect(cancel).toBeVisible();
  // ...and inside it by the time the patient confirms: the server's clock moves 8 minutes on
  // (less than the 15-minute idle timeout, so the session lives).
  const ctx = real.portal.handle.context;
  const realNow = ctx.now;
  ctx.now = () => new Date(Date.now() + 8 * 60_000);
  try {
    await cancel.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel appointment' }).click();
    await expect(page.getByRole('alert')).toHaveText(
      `It is too late to cancel online: appointments can be cancelled up to 24 hours before they start. Please call ${TEST_CLINIC.name} at ${TEST_CLINIC.phone}.`,
    );
    await expect(page.getByRole('table', { name: 'Upcoming appointments' }).getByRole('row', { name: new RegExp(visitDate(start.toISOString())) })).toBeVisible();
  } finally {
    ctx.now = realNow;
  }
  expect((await pat.get<AppointmentsView>('/api/appointments')).body.upcoming.find((a) => a.id === visitId)?.status).toBe('scheduled');
});

test('accepting a proposed time schedules it', async ({ page }) => {
  const pat = await real.newPatient('William');
  const proposal = day(7);
  const asked = await requestVisit(pat, 'Knee pain', proposal);
  await openAppointments(page, pat);
  const sent = watchPosts(page, `/api/appointments/${asked.id}/accept`);
  const open = page.getByRole('region', { name: 'Requests and proposed times' });
  await expect(open.getByRole('button', { name: 'Accept new time' })).toHaveAccessibleDescription(new RegExp(`${visitDate(proposal)} at ${timeWithZone(proposal)}`));
  await open.getByRole('button', { name: 'Accept new time' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'You accepted the new time.' })).toBeVisible();
  expect(sent).toHaveLength(1);
  await expect(page.getByRole('table', { name: 'Upcoming appointments' }).getByRole('row', { name: new RegExp(visitDate(proposal)) })).toContainText('Knee pain');
  await expect(open).toContainText('You have no open appointment requests.');
  expect((await pat.get<AppointmentsView>('/api/appointments')).body.upcoming).toMatchObject([{ id: asked.id, status: 'scheduled', physicianName: 'Dr. Lee Ng', start: proposal }]);
});

test('declining a proposed time sends it back to the desk', async ({ page }) => {
  const pat = await real.newPatient('William');
  const asked = await requestVisit(pat, 'Knee pain', day(8));
  await openAppointments(page, pat);
  const sent = watchPosts(page, `/api/appointments/${asked.id}/decline`);
  const open = page.getByRole('region', { name: 'Requests and proposed times' });
  await open.getByRole('button', { name: 'Decline new time' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'You declined the new time.' })).toBeVisible();
  expect(sent).toHaveLength(1);
  await expect(open).toContainText('Status: Requested');
  await expect(open.getByRole('button', { name: 'Accept new time' })).toHaveCount(0);
  expect((await pat.get<AppointmentsView>('/api/appointments')).body.open).toMatchObject([{ id: asked.id, status: 'requested', start: null }]);
});

