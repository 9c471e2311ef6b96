import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { generate } from 'otplib';
import { waitForMail } from '../../fixtures/mail';
import type { TestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { james, physician, receptionist, signIn, startDemoPortal } from './demoDesk';

/** The front desk helps a patient back into the portal from the patient's page. */
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

const signInAsJames = (password: string) =>
  fetch(`${portal.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: james.username, password }) });

test('the desk unlocks a locked-out patient and sends a password reset after confirming', async ({ page }) => {
  for (let i = 0; i < 6; i += 1) {
    await signInAsJames('Wrong1234');
  }
  expect((await signInAsJames(james.password)).status).toBe(429);

  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  await page.getByRole('link', { name: 'James Walker' }).click();
  const account = page.getByRole('region', { name: 'Portal account' });
  await account.getByRole('button', { name: 'Unlock portal account' }).click();
  await expect(account.getByRole('status')).toHaveText('James Walker’s portal account is unlocked. They can sign in again now.');
  expect((await signInAsJames(james.password)).status).toBe(200);

  await account.getByRole('button', { name: 'Send password reset' }).click();
  const dialog = page.getByRole('dialog', { name: 'Send a password reset?' });
  await expect(dialog).toContainText('james.walker@example.com');
  await dialog.getByRole('button', { name: 'Send reset link' }).click();
  await expect(account.getByRole('status')).toContainText('A password reset link was sent to james.walker@example.com. It works until');
  await portal.handle.flushMail();
  const mail = await waitForMail(portal.mailDir, 'james.walker@example.com');
  expect(mail.html).toMatch(/reset-password#token=/);
});

test('offline, the desk is told these need a connection; a physician does not get the buttons', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, physician);
  await page.getByRole('link', { name: 'James Walker' }).click();
  await expect(page.getByRole('heading', { name: 'James Walker', level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Portal account' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await signIn(page, receptionist);
  await page.getByRole('link', { name: 'James Walker' }).click();
  const account = page.getByRole('region', { name: 'Portal account' });
  await expect(account).toBeVisible();
  const stopped = portal;
  await stopped.handle.close();
  portal = { ...stopped, stop: () => Promise.resolve(rmSync(stopped.dataDir, { recursive: true, force: true })) };
  await account.getByRole('button', { name: 'Unlock portal account' }).click();
  await expect(account.getByRole('alert')).toHaveText('The clinic server is not reachable. Unlocking a portal account or sending a reset link needs a connection.');
});

test('the desk turns off two-step sign-in for a patient who lost phone and recovery codes; the patient is mailed', async ({ page }) => {
  // James turns it on himself (through the portal's API, as his Account page does).
  const signedIn = await signInAsJames(james.password);
  const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
  const send = (path: string, body: unknown) =>
    fetch(`${portal.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken, origin: portal.url }, body: JSON.stringify(body) });
  const { secret } = (await (await send('/api/account/second-factor/enrolment', {})).json()) as { secret: string };
  expect((await send('/api/account/second-factor/confirm', { code: await generate({ secret }) })).status).toBe(200);
  expect((await signInAsJames(james.password)).status).toBe(401);

  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  await page.getByRole('link', { name: 'James Walker' }).click();
  const account = page.getByRole('region', { name: 'Portal account' });
  await account.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
  const dialog = page.getByRole('dialog', { name: 'Turn off two-step sign-in?' });
  await expect(dialog).toContainText('checked who is asking');
  await dialog.getByRole('button', { name: 'Turn it off' }).click();
  await expect(account.getByRole('status')).toHaveText('Two-step sign-in is off for James Walker. They sign in with their password alone now, and were emailed about it.');
  expect((await signInAsJames(james.password)).status).toBe(200);
  await portal.handle.flushMail();
  const mail = await waitForMail(portal.mailDir, 'james.walker@example.com');
  expect(mail.subject).toMatch(/Two-step sign-in was turned off/);

  // Already off: the desk is told so, nothing else happens.
  await account.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
  await page.getByRole('dialog', { name: 'Turn off two-step sign-in?' }).getByRole('button', { name: 'Turn it off' }).click();
  await expect(account.getByRole('alert')).toHaveText('This patient has not turned on two-step sign-in, so there is nothing to turn off.');
});
