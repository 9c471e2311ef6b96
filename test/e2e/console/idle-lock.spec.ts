import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { TestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { NO_KEY_STORE_WARNING } from '../../../src-main/platform/keyStore';
import { expectAllSent, james, physician, receptionist, signIn, startDemoPortal } from './demoDesk';

/** A shared front-desk computer locks when left alone, and the next staff member takes over. */
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

const LOCKED = { ok: false, error: { code: 'not_signed_in', message: 'The console is locked. Sign in to continue.' } };

test('left idle, the console hides patient data; another staff member unlocks it as themselves', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  await page.getByRole('link', { name: `${james.givenName} ${james.familyName}` }).click();
  await expect(page.getByRole('heading', { name: 'James Walker', level: 1 })).toBeVisible();
  await expect(page.getByText('Born 09/03/1972 · james.walker@example.com')).toBeVisible();

  // The desk walks away: nobody touches the keyboard or mouse for longer than the idle time.
  await desk.setIdleLockSeconds(2);
  await expect(page.getByRole('heading', { name: 'Console locked' })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText('Dana Reyes was signed in.')).toBeVisible();
  // Nothing of the patient's is left on the page, and the main process refuses to hand any out.
  await expect(page.locator('body')).not.toContainText('James Walker');
  await expect(page.locator('body')).not.toContainText('james.walker@example.com');
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  // The window hides at once; the main process locks as soon as the window's request reaches it.
  const core = desk.core;
  await expect.poll(async () => (await core.services.auth.status()).locked).toBe(true);
  expect(await core.registry.invoke('patients.get', { patientId: 'any' })).toEqual(LOCKED);
  expect(await page.evaluate(() => (globalThis as unknown as { api: { invoke(c: string, a: unknown): Promise<unknown> } }).api.invoke('patients.list', { query: '' }))).toEqual(LOCKED);

  // A wrong password keeps it locked.
  await page.getByLabel('Username').fill(physician.username);
  await page.getByLabel('Password').fill('Wrong2Day');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toContainText('The username or password is not right');
  await expect(page.getByRole('heading', { name: 'Console locked' })).toBeVisible();

  // The physician signs in at the lock screen and the console is theirs, from the patient list.
  await desk.setIdleLockSeconds(600);
  await page.getByLabel('Username').fill(physician.username);
  await page.getByLabel('Password').fill(physician.password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('button', { name: 'Lock now' })).toBeVisible();
  await expect(page.getByRole('banner').getByText('Dr. Sam Patel')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Patients', level: 1 })).toBeVisible();
  expect(new URL(page.url()).hash).toBe('#/patients');
  await expectAllSent(page);
});

test('"Lock now" locks at once, and the same person unlocks back to where they were', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  await page.getByRole('link', { name: 'James Walker' }).click();
  await expect(page.getByRole('heading', { name: 'James Walker', level: 1 })).toBeVisible();

  await page.getByRole('button', { name: 'Lock now' }).click();
  await expect(page.getByRole('heading', { name: 'Console locked' })).toBeVisible();
  await expect(page.locator('body')).not.toContainText('James Walker');
  await expect(page.getByLabel('Username')).toBeFocused();

  await page.getByLabel('Username').fill(receptionist.username);
  await page.getByLabel('Password').fill(receptionist.password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { name: 'James Walker', level: 1 })).toBeVisible();
  await expect(page.getByRole('banner').getByText('Dana Reyes')).toBeVisible();
});

test('offline, only the person signed in can unlock, and the lock screen says why to anyone else', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);
  await page.getByRole('button', { name: 'Lock now' }).click();
  await expect(page.getByRole('heading', { name: 'Console locked' })).toBeVisible();
  const stopped = portal;
  await stopped.handle.close();
  portal = { ...stopped, stop: () => Promise.resolve(rmSync(stopped.dataDir, { recursive: true, force: true })) };

  await page.getByLabel('Username').fill(physician.username);
  await page.getByLabel('Password').fill(physician.password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'The clinic server is not reachable, so only Dana Reyes can unlock this console now. Another staff member can sign in once the connection is back.',
  );

  await page.getByLabel('Username').fill(receptionist.username);
  await page.getByLabel('Password').fill(receptionist.password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('banner').getByText('Dana Reyes')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /Online|Offline/ })).toContainText('Offline');
});

test('a computer without a keyring is told, on the sign-in screen, that the sign-in is not protected by the operating system', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url, tokenProtectionWarning: NO_KEY_STORE_WARNING });
  await expect(page.getByRole('note')).toHaveText(NO_KEY_STORE_WARNING);
  await signIn(page, receptionist);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
});
