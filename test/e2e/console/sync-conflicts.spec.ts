import { expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import type { TestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { DEMO, expectAllSent, receptionist, signIn, startDemoPortal } from './demoDesk';

/**
 * Two desks edit James Walker's details in two console windows against one real server. Desk B
 * works with its sync stopped (as if offline) while desk A's change reaches the server first:
 * different fields merge; the same field is a conflict desk B sees in its sync bar and dismisses.
 */
let portal: TestPortal;
const desks: ConsoleUnderTest[] = [];

test.beforeEach(async () => {
  portal = await startDemoPortal();
});
test.afterEach(async () => {
  await Promise.all(desks.splice(0).map((d) => d.close()));
  await portal.stop();
});

async function openDesk(browser: Browser, who: { username: string; password: string }): Promise<{ page: Page; desk: ConsoleUnderTest }> {
  const page = await (await browser.newContext()).newPage();
  const desk = await openConsole(page, { serverUrl: portal.url });
  desks.push(desk);
  await signIn(page, who);
  await page.getByRole('link', { name: 'Patients' }).click();
  await page.getByRole('link', { name: /James Walker/ }).first().click();
  await expect(page.getByRole('heading', { name: 'James Walker', level: 1 })).toBeVisible();
  return { page, desk };
}

async function editPatient(page: Page, field: 'Email' | 'Phone', value: string): Promise<void> {
  const form = page.getByRole('region', { name: 'Edit patient' });
  await form.getByLabel(field).fill(value);
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(form.getByText(/^Changes saved/)).toBeVisible();
}

test('two desks: different fields merge; the same field is a conflict the second desk sees with what to do, and dismisses', async ({ browser }) => {
  const a = await openDesk(browser, DEMO.admin);
  const b = await openDesk(browser, receptionist);
  const summary = (page: Page) => page.locator('.summary');

  // Different fields: desk A the phone, desk B (not syncing) the email.
  await b.desk.core.engine.stop();
  await editPatient(a.page, 'Phone', '555-0111');
  await expectAllSent(a.page);
  await editPatient(b.page, 'Email', 'james.w@example.com');
  await expect(b.page.getByRole('status').filter({ hasText: /Online|Offline/ })).toContainText('1 change waiting');
  b.desk.core.engine.start();
  await b.page.getByRole('button', { name: 'Sync now' }).click();
  await expectAllSent(b.page);
  await expect(b.page.getByText(/Refused changes/)).toHaveCount(0);
  await expect(summary(b.page)).toContainText('james.w@example.com');
  await expect(summary(b.page)).toContainText('555-0111');
  await a.page.getByRole('button', { name: 'Sync now' }).click();
  await expect(summary(a.page)).toContainText('james.w@example.com');

  // The same field: desk A's phone reaches the server first; desk B's is a conflict.
  await b.desk.core.engine.stop();
  await editPatient(a.page, 'Phone', '555-0122');
  await expectAllSent(a.page);
  await editPatient(b.page, 'Phone', '555-0133');
  b.desk.core.engine.start();
  await b.page.getByRole('button', { name: 'Sync now' }).click();
  await expectAllSent(b.page);
  const refused = b.page.getByText('Refused changes (1): 1 conflict');
  await expect(refused).toBeVisible();
  await refused.click();
  const conflicts = b.page.getByRole('region', { name: 'Conflicts: changed at another desk meanwhile' });
  await expect(conflicts).toContainText('Update James Walker');
  await expect(conflicts).toContainText('The phone number was changed at another desk meanwhile: now “555-0122”.');
  await expect(conflicts).toContainText(/What to do:.*redo your change/);
  // Desk B's window shows the server's phone again, not its refused one.
  await expect(summary(b.page)).toContainText('555-0122');

  const dismiss = conflicts.getByRole('button', { name: 'Dismiss conflict: Update James Walker' });
  await dismiss.focus();
  await b.page.keyboard.press('Enter');
  await expect(b.page.getByText(/Refused changes/)).toHaveCount(0);
  // The list is gone; keyboard focus lands on the sync bar, not lost to the page.
  await expect(b.page.getByRole('button', { name: 'Sync now' })).toBeFocused();
  await expect(summary(a.page)).toContainText('555-0122');
});

test('a long catch-up shows its progress as a labelled progress bar, gone once caught up', async ({ browser }) => {
  const b = await openDesk(browser, receptionist);
  // The engine reports progress while it pulls many pages; here its status event is sent as it would be.
  const status = await b.desk.core.engine.status();
  b.desk.core.events.emit('sync.status', { ...status, syncing: true, catchUp: { applied: 4000, total: 10000 } });
  const bar = b.page.getByRole('progressbar', { name: 'Catching up with the clinic server: 4,000 of 10,000 changes' });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveJSProperty('value', 4000);
  await expect(bar).toHaveJSProperty('max', 10000);
  // The rest of the window stays usable meanwhile.
  await b.page.getByRole('link', { name: 'Patients' }).click();
  await expect(b.page.getByRole('heading', { name: 'Patients', level: 1 })).toBeVisible();
  b.desk.core.events.emit('sync.status', { ...status, catchUp: null });
  await expect(b.page.getByRole('progressbar')).toHaveCount(0);
});

test('a change whose author can no longer sign in here is held, not blocking: the admin sees it and sends it in their own name', async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  const desk = await openConsole(page, { serverUrl: portal.url });
  desks.push(desk);
  await signIn(page, receptionist);
  const deskToken = await desk.core.session.token();
  await desk.core.engine.stop();
  await desk.core.services.patients.preRegister({ givenName: 'Held', familyName: 'Patient', dateOfBirth: '04/12/1986', email: 'held.patient@example.com', phone: '' }, false);
  // The receptionist's sign-in is revoked elsewhere before this computer sent the change; the admin takes over at the lock screen.
  await desk.core.registry.invoke('auth.lock', undefined);
  await fetch(`${portal.url}/api/staff/sign-out`, { method: 'POST', headers: { authorization: `Bearer ${deskToken ?? ''}` } });
  await expect(page.getByRole('button', { name: 'Unlock' })).toBeVisible();
  await page.getByLabel('Username').fill(DEMO.admin.username);
  await page.getByLabel('Password').fill(DEMO.admin.password);
  await page.getByRole('button', { name: 'Unlock' }).click();

  const held = page.getByText('Held changes (1): 1 change whose author can no longer sign in here');
  await expect(held).toBeVisible();
  await expect(page.getByText(/Made by .+,/)).toBeVisible();
  await page.getByRole('button', { name: /^Send as me, for .+: Pre-register Held Patient$/ }).click();
  await expect(held).toHaveCount(0);
  await expectAllSent(page);
});
