import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import type { AppointmentsView } from '../../../shared/api/patient';
import type { AppointmentView } from '../../../shared/domain/appointment';
import type { ThreadSummaryView, ThreadView } from '../../../shared/domain/message';
import type { RecordBundle } from '../../../shared/domain/record';
import type { RenewalView } from '../../../shared/domain/renewal';
import { todayInZone } from '../../../shared/time/dateOnly';
import { instantToZoned, zonedToInstant } from '../../../shared/time/zoned';
import { deskOf, pullAll } from '../../fixtures/patients';
import type { TestPortal } from '../../fixtures/portal';
import { signInStaff } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { DEMO, ana, expectAllSent, james, patientApi, physician, receptionist, signIn, startDemoPortal } from './demoDesk';

/**
 * The staff half of each patient round trip, in the console UI (Chromium, `window.api` bridged to
 * the real main process) against a real portal server with the demo clinic: a patient acts
 * through the patient API, staff answer in the console, the patient's API shows the answer.
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

const patient = (who: { username: string; password: string }) => patientApi(portal, who);

/** A weekday a week or so ahead in the clinic's calendar, clear of the demo's own bookings. */
function nextWeekday(): string {
  const day = new Date(`${todayInZone(DEMO.clinic.timeZone)}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 8);
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6) {
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return day.toISOString().slice(0, 10);
}

test('a receptionist schedules the appointment a patient requested; the patient sees it scheduled', async ({ page }) => {
  const jamesApi = await patient(james);
  const requested = await jamesApi.post<AppointmentView>('/api/appointments', {
    reason: 'Follow-up on knee X-ray',
    preferredPhysicianId: null,
    preferredTimes: 'Any weekday at 9',
  });
  expect(requested.status).toBe(201);

  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  // The demo's own request and James's new one wait at the desk.
  await page.getByRole('link', { name: 'Appointments (2 requests)' }).click();
  await expect(page.getByRole('heading', { name: 'Appointment requests' })).toBeVisible();
  const row = page.getByRole('row', { name: /Follow-up on knee X-ray/ });
  await expect(row).toContainText('James Walker');
  await expect(row).toContainText('Any weekday at 9');
  await row.getByRole('button', { name: /^Schedule/ }).click();

  const dialog = page.getByRole('dialog', { name: 'Schedule appointment for James Walker' });
  await expect(dialog).toContainText('Follow-up on knee X-ray');
  // Nothing typed yet: the form says what is missing, at the fields.
  await dialog.getByRole('button', { name: 'Schedule appointment' }).click();
  await expect(dialog.getByText('Enter the date.')).toBeVisible();
  await expect(dialog.getByLabel('Date')).toBeFocused();

  const date = nextWeekday();
  await dialog.getByLabel('Physician').selectOption({ label: physician.displayName });
  await dialog.getByLabel('Date').fill(date);
  await dialog.getByLabel('Time').fill('09:00');
  await dialog.getByLabel('Length').selectOption({ label: '30 minutes' });
  await dialog.getByRole('button', { name: 'Schedule appointment' }).click();

  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Scheduled James Walker' })).toContainText(physician.displayName);
  await expect(page.getByRole('row', { name: /Follow-up on knee X-ray/ })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Appointments (1 request)' })).toBeVisible();
  await expectAllSent(page);

  // On the schedule, that day, in the clinic's zone with the zone named.
  await page.getByRole('link', { name: 'Schedule', exact: true }).click();
  await page.getByLabel('Go to date').fill(date);
  await expect(page.getByText(/Times are in the clinic's time zone, America\/New York/)).toBeVisible();
  const booked = page.getByRole('row', { name: /James Walker/ });
  await expect(booked).toContainText('9:00 – 9:30 AM');
  await expect(booked).toContainText('Follow-up on knee X-ray');
  await expect(booked).toContainText('Scheduled');

  const seen = await jamesApi.get<AppointmentsView>('/api/appointments');
  const mine = seen.body.upcoming.find((a) => a.id === requested.body.id);
  expect(mine?.status).toBe('scheduled');
  expect(mine?.start).toBe(zonedToInstant(date, '09:00', DEMO.clinic.timeZone));
  expect(mine?.physicianName).toBe(physician.displayName);
});

test("a slot the physician already has is refused at the Time field, and nothing is booked", async ({ page }) => {
  // Ana's demo visit with Dr. Patel: the slot to collide with, in the clinic's calendar.
  const anaVisits = await (await patient(ana)).get<AppointmentsView>('/api/appointments');
  const taken = anaVisits.body.upcoming[0]?.start ?? '';
  const slot = instantToZoned(taken, DEMO.clinic.timeZone);

  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  await page.getByRole('link', { name: /^Appointments/ }).click();
  const row = page.getByRole('row', { name: /Knee pain when climbing stairs/ });
  await row.getByRole('button', { name: /^Schedule/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Schedule appointment for James Walker' });
  await dialog.getByLabel('Date').fill(slot.date);
  await dialog.getByLabel('Time').fill(slot.time);
  await dialog.getByRole('button', { name: 'Schedule appointment' }).click();

  const refusal = `${physician.displayName} already has an appointment at that time. Choose another time.`;
  await expect(dialog.getByRole('alert')).toContainText(refusal);
  await expect(dialog.getByLabel('Time')).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(row.getByText('Requested')).toBeVisible();
  await expectAllSent(page);
  const jamesView = await (await patient(james)).get<AppointmentsView>('/api/appointments');
  expect(jamesView.body.open.find((a) => a.reason === 'Knee pain when climbing stairs')?.status).toBe('requested');
});

test('two desks, one slot: the server refuses the offline desk\'s booking, the sync bar says why, and the request waits again', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  await page.getByRole('link', { name: /^Appointments/ }).click();
  const request = page.getByRole('row', { name: /Knee pain when climbing stairs/ });
  await expect(request).toBeVisible();

  // This desk loses the server and books while offline: the booking waits to be sent.
  await desk.core.engine.stop();
  const date = nextWeekday();
  await request.getByRole('button', { name: /^Schedule/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Schedule appointment for James Walker' });
  await dialog.getByLabel('Date').fill(date);
  await dialog.getByLabel('Time').fill('11:00');
  await dialog.getByRole('button', { name: 'Schedule appointment' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Scheduled James Walker' })).toBeVisible();
  const sync = page.getByRole('status').filter({ hasText: /Online|Offline/ });
  await expect(sync).toContainText('Offline');
  await expect(sync).toContainText('1 change waiting');
  await page.getByRole('link', { name: 'Schedule', exact: true }).click();
  await page.getByLabel('Go to date').fill(date);
  await expect(page.getByRole('row', { name: /James Walker/ })).toContainText('waiting to send');

  // Meanwhile a second desk, online, books Ana with the same physician at the same time.
  const other = deskOf(portal.url, await signInStaff(portal.url, receptionist.username, receptionist.password));
  const doctorId = (await signInStaff(portal.url, physician.username, physician.password)).staff.id;
  const anaRow = (await pullAll(portal.url, other.console.token)).find((c) => c.op === 'upsert' && c.table === 'patient' && c.row.email === ana.email);
  const booked = await other.apply('createAppointment', {
    appointmentId: randomUUID(),
    patientId: anaRow?.op === 'upsert' ? anaRow.row.id : '',
    physicianId: doctorId,
    start: zonedToInstant(date, '11:00', DEMO.clinic.timeZone) ?? '',
    durationMinutes: 30,
    reason: 'Inhaler check',
  });
  expect(booked.status).toBe('applied');

  // Back online: the server refuses the first desk's booking; the console says so and rolls it back.
  desk.core.engine.start();
  await expect(sync).toContainText('Online');
  const refused = page.getByText('Refused changes (1)');
  await expect(refused).toBeVisible();
  await refused.click();
  await expect(page.getByRole('listitem').filter({ hasText: /James Walker/ })).toContainText(`${physician.displayName} already has an appointment at that time`);
  await expect(page.getByRole('row', { name: /Ana Silva/ })).toContainText('Inhaler check');
  await expect(page.getByRole('row', { name: /James Walker/ })).toHaveCount(0);
  await page.getByRole('link', { name: 'Requests', exact: true }).click();
  await expect(page.getByRole('row', { name: /Knee pain when climbing stairs/ })).toContainText('Requested');
  const jamesView = await (await patient(james)).get<AppointmentsView>('/api/appointments');
  expect(jamesView.body.open.find((a) => a.reason === 'Knee pain when climbing stairs')?.status).toBe('requested');
});

test('a physician approves a renewal the receptionist could only read; the patient sees it approved with the refills', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  await page.getByRole('link', { name: 'Renewals (1 waiting)' }).click();
  await expect(page.getByText('Only a physician can approve or deny renewals.')).toBeVisible();
  await expect(page.getByRole('row', { name: /Albuterol inhaler/ })).toContainText('Running low before my trip.');
  await expect(page.getByRole('button', { name: /^Approve/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await signIn(page, physician);
  await page.getByRole('link', { name: /^Renewals/ }).click();
  const row = page.getByRole('row', { name: /Albuterol inhaler/ });
  await expect(row).toContainText('Ana Silva');
  await expect(row).toContainText('Harbor Pharmacy, 40 Main St');
  await row.getByRole('button', { name: /^Approve/ }).click();

  const dialog = page.getByRole('dialog', { name: /Approve renewal: Albuterol inhaler for Ana Silva/ });
  await expect(dialog.getByLabel('Refills to grant')).toHaveValue('1');
  await dialog.getByLabel('Refills to grant').fill('2');
  await dialog.getByLabel('Note to patient (optional)').fill('Enjoy your trip.');
  await dialog.getByRole('button', { name: 'Approve renewal' }).click();

  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Approved Albuterol inhaler for Ana Silva' })).toContainText('2 refills');
  await expect(page.getByText('No renewal requests are waiting.')).toBeVisible();
  await page.getByRole('radio', { name: 'All' }).check();
  await expect(page.getByRole('row', { name: /Albuterol inhaler/ })).toContainText('Approved');
  await expectAllSent(page);

  const anaApi = await patient(ana);
  const renewals = await anaApi.get<RenewalView[]>('/api/renewals');
  const albuterol = renewals.body.find((r) => r.medicationName === 'Albuterol inhaler');
  expect(albuterol?.status).toBe('approved');
  expect(albuterol?.decisionNote).toBe('Enjoy your trip.');
  expect(albuterol?.decidedByName).toBe(physician.displayName);
  const record = await anaApi.post<RecordBundle>('/api/record/view');
  // The demo gave Ana 1 refill left; approving added 2.
  expect(record.body.medication.find((m) => m.name === 'Albuterol inhaler')?.refillsLeft).toBe(3);
});

test('a physician replies to a patient message shown as plain text; the patient reads the reply and the console says so', async ({ page }) => {
  const anaApi = await patient(ana);
  const body = 'Can I take the <b>iron</b> tablets with coffee?\nI usually have it at breakfast.';
  const started = await anaApi.post<ThreadView>('/api/messages', { subject: 'Iron and coffee', body });
  expect(started.status).toBe(201);

  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, physician);
  await page.getByRole('link', { name: /^Messages \(\d+ unread\)/ }).click();
  await page.getByRole('radio', { name: 'Unassigned' }).check();
  const inboxRow = page.getByRole('row', { name: /Iron and coffee/ });
  await expect(inboxRow).toContainText('1 unread message');
  await expect(inboxRow).toContainText('Ana Silva');
  await inboxRow.getByRole('link', { name: 'Iron and coffee' }).click();

  await expect(page.getByRole('heading', { name: 'Iron and coffee', level: 1 })).toBeVisible();
  // The patient's words exactly as typed: markup stays text, line breaks stay.
  const messages = page.getByRole('region', { name: 'Messages in this thread' });
  const message = messages.getByRole('listitem').filter({ hasText: 'Can I take the' });
  await expect(message.getByText('Can I take the <b>iron</b> tablets with coffee?', { exact: false })).toBeVisible();
  await expect(message.locator('b')).toHaveCount(0);
  await expect(message.locator('.message-body')).toHaveCSS('white-space', 'pre-wrap');

  await page.getByLabel('Assign to').selectOption({ label: `${physician.displayName} (Physician)` });
  await page.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: `Assigned to ${physician.displayName}.` })).toBeVisible();

  await page.getByRole('button', { name: 'Send reply' }).click();
  await expect(page.getByText('Enter your message.')).toBeVisible();
  await page.getByLabel('Reply').fill('Take the iron with water or orange juice.\nCoffee an hour later is fine.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await expect(messages.getByRole('listitem').filter({ hasText: 'Take the iron with water' })).toContainText('Not read by the patient yet');
  await expect(page.getByLabel('Reply')).toHaveValue('');
  await expectAllSent(page);

  // Ana opens the thread in the portal; the console learns she read the reply.
  const thread = await anaApi.post<ThreadView>(`/api/messages/${started.body.id}/read`);
  const reply = thread.body.messages.find((m) => !m.mine);
  expect(reply?.body).toBe('Take the iron with water or orange juice.\nCoffee an hour later is fine.');
  expect(reply?.authorName).toBe(physician.displayName);
  await expect(messages.getByRole('listitem').filter({ hasText: 'Take the iron with water' })).toContainText('Read by patient');

  await page.getByRole('button', { name: 'Close thread' }).click();
  await expect(page.getByText('This thread is closed. Reopen it to reply.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reopen thread' })).toBeVisible();
});

test('the desk writes to a patient first from their page; the thread opens and the patient finds it in the portal', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  await page.getByRole('link', { name: 'James Walker' }).click();
  await page.getByRole('button', { name: 'Message patient' }).click();
  const dialog = page.getByRole('dialog', { name: 'Message James Walker' });
  await dialog.getByLabel('Subject').fill('Your knee X-ray');
  await dialog.getByLabel('Message').fill('Your X-ray results are in.\nPlease call us to go over them.');
  await dialog.getByRole('button', { name: 'Send message' }).click();

  await expect(page.getByRole('heading', { name: 'Your knee X-ray', level: 1 })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Message sent to James Walker.' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Messages in this thread' })).toContainText('Please call us to go over them.');
  await expectAllSent(page);

  const threads = await (await patient(james)).get<ThreadSummaryView[]>('/api/messages');
  expect(threads.body.find((t) => t.subject === 'Your knee X-ray')?.unread).toBe(1);
});
