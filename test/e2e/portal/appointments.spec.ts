import { expect, test } from '@playwright/test';
import { CSRF_HEADER } from '../../../shared/api/types';
import { DR_NG } from './portalData';
import { mockPortal, openPage, usePortalServer } from './portalMock';

/** Appointments: lists in the clinic's zone, requesting one, cancelling under the clinic's rule, answering a proposal. */

const url = usePortalServer(test);

test('upcoming and past appointments show date, time with the zone named, physician, reason and status', async ({ page }) => {
  await mockPortal(page);
  await openPage(page, url('/appointments'), 'Appointments');
  await expect(page.getByRole('main')).toContainText('Times are shown in the clinic’s time zone (Eastern Time).');

  const upcoming = page.getByRole('table', { name: 'Upcoming appointments' });
  await expect(upcoming.getByRole('columnheader')).toHaveText(['Date', 'Time', 'Physician', 'Reason', 'Status', 'Cancel online']);
  const checkUp = upcoming.getByRole('row', { name: /Thu, Dec 3, 2026/ });
  await expect(checkUp.getByRole('cell')).toHaveText(['9:30 AM EST', 'Dr. Sam Patel', 'Blood pressure check', 'Scheduled', /Cancel/]);

  const past = page.getByRole('table', { name: 'Past appointments' });
  await expect(past.getByRole('row', { name: /Thu, Oct 15, 2026/ }).getByRole('cell')).toHaveText(['9:00 AM EDT', 'Dr. Sam Patel', 'Yearly check-up', 'Completed']);

  const open = page.getByRole('region', { name: 'Requests and proposed times' });
  await expect(open).toContainText('Status: New time proposed');
  await expect(open).toContainText('The clinic proposes Tue, Dec 8, 2026 at 2:00 PM EST with Dr. Lee Ng.');
  await expect(open).toContainText('From the clinic: Dr. Ng is free that afternoon.');
});

test('with no appointments each list says so', async ({ page }) => {
  await mockPortal(page, { appointments: { upcoming: [], past: [], open: [], cancelCutoffHours: 24, timeZone: 'America/New_York' } });
  await openPage(page, url('/appointments'), 'Appointments');
  await expect(page.getByRole('region', { name: 'Upcoming appointments' })).toContainText('You have no upcoming appointments.');
  await expect(page.getByRole('region', { name: 'Requests and proposed times' })).toContainText('You have no open appointment requests.');
  await expect(page.getByRole('region', { name: 'Past appointments' })).toContainText('You have no past appointments.');
  await expect(page.getByRole('table')).toHaveCount(0);
});

test('the request form checks its fields with the shared rules and sends nothing until they are right', async ({ page }) => {
  const mock = await mockPortal(page);
  await openPage(page, url('/appointments'), 'Appointments');
  const form = page.getByRole('region', { name: 'Request an appointment' });
  await form.getByRole('button', { name: 'Send request' }).click();

  const reason = form.getByLabel('Reason');
  await expect(reason).toHaveAttribute('aria-invalid', 'true');
  await expect(reason).toHaveAccessibleDescription(/Enter the reason for your visit\./);
  await expect(form.getByLabel('Preferred days and times')).toHaveAccessibleDescription(/Enter the days and times that suit you\./);
  await expect(reason).toBeFocused();
  expect(mock.sentTo('POST /api/appointments')).toHaveLength(0);

  await reason.fill('x'.repeat(201));
  await reason.blur();
  await expect(reason).toHaveAccessibleDescription(/Keep it under 200 characters\./);
});

test('a valid request is sent with the chosen physician, announced, and listed as requested', async ({ page }) => {
  const mock = await mockPortal(page);
  await openPage(page, url('/appointments'), 'Appointments');
  const form = page.getByRole('region', { name: 'Request an appointment' });
  const physician = form.getByRole('combobox', { name: 'Preferred physician' });
  await expect(physician.getByRole('option')).toHaveText(['Any physician', 'Dr. Sam Patel', 'Dr. Lee Ng']);
  await expect(physician).toHaveValue('');

  await form.getByLabel('Reason').fill('Sore throat');
  await physician.selectOption({ label: 'Dr. Lee Ng' });
  await form.getByLabel('Preferred days and times').fill('Mondays after 3 pm');
  await form.getByRole('button', { name: 'Send request' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Your request was sent.' })).toBeVisible();
  const sent = mock.sentTo('POST /api/appointments');
  expect(sent).toHaveLength(1);
  expect(sent[0]?.body).toEqual({ reason: 'Sore throat', preferredPhysicianId: DR_NG.id, preferredTimes: 'Mondays after 3 pm' });
  expect(sent[0]?.headers[CSRF_HEADER]).toBe('csrf-1234');
  await expect(page.getByRole('region', { name: 'Requests and proposed times' }).getByRole('heading', { name: 'Sore throat' })).toBeVisible();
  await expect(form.getByLabel('Reason')).toHaveValue('');

  // "Any physician" is sent as null.
  await form.getByLabel('Reason').fill('Check-up');
  await form.getByLabel('Preferred days and times').fill('Any time');
  await form.getByRole('button', { name: 'Send request' }).click();
  await expect.poll(() => mock.sentTo('POST /api/appointments').length).toBe(2);
  expect(mock.sentTo('POST /api/appointments')[1]?.body).toMatchObject({ preferredPhysicianId: null });
});

test('the server’s field errors land on their fields, other refusals in one alert', async ({ page }) => {
  const mock = await mockPortal(page);
  await openPage(page, url('/appointments'), 'Appointments');
  const form = page.getByRole('region', { name: 'Request an appointment' });
  await form.getByLabel('Reason').fill('Sore throat');
  await form.getByLabel('Preferred days and times').fill('Mondays');

  mock.answerOnce('POST /api/appointments', {
    status: 400,
    body: { error: { code: 'validation_failed', message: 'Some fields need attention.', fields: { preferredTimes: 'Say at least one day.' } } },
  });
  await form.getByRole('button', { name: 'Send request' }).click();
  const times = form.getByLabel('Preferred days and times');
  await expect(times).toHaveAttribute('aria-invalid', 'true');
  await expect(times).toHaveAccessibleDescription(/Say at least one day\./);
  await expect(times).toBeFocused();

  mock.answerOnce('POST /api/appointments', { status: 429, body: { error: { code: 'rate_limited', message: 'Too many requests. Wait a minute and try again.' } } });
  await form.getByRole('button', { name: 'Send request' }).click();
  await expect(form.getByRole('alert')).toHaveText('Too many requests. Wait a minute and try again.');
  await expect(form.getByRole('alert')).toBeFocused();
  await expect(page.getByRole('status').filter({ hasText: 'Your request was sent.' })).toHaveCount(0);
});

test('cancelling asks first; only appointments outside the clinic’s cut-off can be cancelled online', async ({ page }) => {
  const mock = await mockPortal(page);
  await openPage(page, url('/appointments'), 'Appointments');
  const upcoming = page.getByRole('table', { name: 'Upcoming appointments' });

  // Too close: no button, and the clinic's rule is explained.
  const flu = upcoming.getByRole('row', { name: /Fri, Nov 27, 2026/ });
  await expect(flu.getByRole('button')).toHaveCount(0);
  await expect(flu).toContainText('Too close to cancel online: please call the clinic.');
  await expect(page.getByRole('region', { name: 'Upcoming appointments' })).toContainText(
    'You can cancel online until 24 hours before an appointment. After that, please call Maple Street Family Clinic at (555) 010-2030.',
  );

  const cancel = upcoming.getByRole('button', { name: 'Cancel appointment on Thu, Dec 3, 2026' });
  await cancel.click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this appointment?' });
  await expect(dialog).toContainText('Thu, Dec 3, 2026 at 9:30 AM EST with Dr. Sam Patel');
  await expect(dialog.getByRole('button', { name: 'Keep appointment' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(cancel).toBeFocused();
  expect(mock.sentTo('POST /api/appointments/ap-1/cancel')).toHaveLength(0);

  await cancel.press('Enter');
  await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your appointment was cancelled.' })).toBeVisible();
  expect(mock.sentTo('POST /api/appointments/ap-1/cancel')).toHaveLength(1);
  await expect(upcoming.getByRole('row', { name: /Thu, Dec 3, 2026/ })).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Past appointments' }).getByRole('row', { name: /Thu, Dec 3, 2026/ })).toContainText('Cancelled');
});

test('a refused cancel (too late by now) is said in an alert and the appointment stays', async ({ page }) => {
  const mock = await mockPortal(page);
  await openPage(page, url('/appointments'), 'Appointments');
  mock.answerOnce('POST /api/appointments/ap-1/cancel', {
    status: 409,
    body: { error: { code: 'conflict', message: 'It is too late to cancel online. Please call the clinic.' } },
  });
  await page.getByRole('button', { name: /^Cancel appointment on/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel appointment' }).click();
  await expect(page.getByRole('alert')).toHaveText('It is too late to cancel online. Please call the clinic.');
  await expect(page.getByRole('table', { name: 'Upcoming appointments' }).getByRole('row', { name: /Thu, Dec 3, 2026/ })).toBeVisible();
});

test('accepting a proposed time schedules it', async ({ page }) => {
  const mock = await mockPortal(page);
  await openPage(page, url('/appointments'), 'Appointments');
  const open = page.getByRole('region', { name: 'Requests and proposed times' });
  await expect(open.getByRole('button', { name: 'Accept new time' })).toHaveAccessibleDescription(/Tue, Dec 8, 2026 at 2:00 PM EST/);
  await open.getByRole('button', { name: 'Accept new time' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'You accepted the new time.' })).toBeVisible();
  expect(mock.sentTo('POST /api/appointments/ap-3/accept')).toHaveLength(1);
  await expect(page.getByRole('table', { name: 'Upcoming appointments' }).getByRole('row', { name: /Tue, Dec 8, 2026/ })).toContainText('Knee pain');
  await expect(open).toContainText('You have no open appointment requests.');
});

test('declining a proposed time sends it back to the desk', async ({ page }) => {
  const mock = await mockPortal(page);
  await openPage(page, url('/appointments'), 'Appointments');
  const open = page.getByRole('region', { name: 'Requests and proposed times' });
  await open.getByRole('button', { name: 'Decline new time' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'You declined the new time.' })).toBeVisible();
  expect(mock.sentTo('POST /api/appointments/ap-3/decline')).toHaveLength(1);
  await expect(open).toContainText('Status: Requested');
  await expect(open.getByRole('button', { name: 'Accept new time' })).toHaveCount(0);
});
