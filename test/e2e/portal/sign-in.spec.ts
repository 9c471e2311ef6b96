import { expect, test } from '@playwright/test';
import { CSRF_HEADER } from '../../../shared/api/types';
import type { PatientSessionView } from '../../../shared/api/types';
import { TEST_CLINIC } from '../../fixtures/portal';
import type { RealPortal } from './realPatients';
import { startRealPortal } from './realPatients';

/** Sign In, Home and Sign Out in the built app against a real portal server. */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});
const url = (path: string) => `${real.portal.url}${path}`;

test('Home needs a session: a signed-out patient lands on Sign In', async ({ page }) => {
  await page.goto(url('/'));
  await expect(page).toHaveURL(url('/sign-in'));
  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
});

test('empty fields and wrong credentials are explained', async ({ page }) => {
  const pat = await real.newPatient('William');
  await page.goto(url('/sign-in'));
  await page.getByRole('button', { name: 'Sign In' }).click();
  const username = page.getByLabel('Username', { exact: true });
  await expect(username).toHaveAttribute('aria-invalid', 'true');
  await expect(username).toHaveAccessibleDescription('Enter your username.');
  await expect(username).toBeFocused();

  await username.fill(pat.username);
  await page.getByLabel('Password', { exact: true }).fill('wrong-password');
  await page.getByRole('button', { name: 'Sign In' }).click();
  const wrong = 'The username or password is not right. Check them and try again.';
  await expect(page.getByRole('alert')).toHaveText(wrong);
  await expect(page).toHaveURL(url('/sign-in'));
  // An unknown username gets the very same words: the page does not tell which accounts exist.
  await username.fill(`${pat.username}x`);
  const answered = page.waitForResponse((res) => res.request().method() === 'POST' && new URL(res.url()).pathname === '/api/session');
  await page.getByRole('button', { name: 'Sign In' }).click();
  expect((await answered).status()).toBe(401);
  await expect(page.getByRole('alert')).toHaveText(wrong);
  // The server gave no session for it.
  expect((await page.request.get(url('/api/session'))).status()).toBe(401);
});

test('sign in, see Home, sign out with the CSRF token', async ({ page }) => {
  const pat = await real.newPatient('William');
  await page.goto(url('/sign-in'));
  await page.getByLabel('Username', { exact: true }).fill(pat.username);
  await page.getByLabel('Password', { exact: true }).fill('Password1');
  const signedIn = page.waitForResponse((res) => res.request().method() === 'POST' && new URL(res.url()).pathname === '/api/session');
  await page.getByRole('button', { name: 'Sign In' }).click();
  const session = (await (await signedIn).json()) as PatientSessionView;

  await expect(page).toHaveURL(url('/'));
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome, William' })).toBeFocused();
  await expect(page.getByRole('main')).toContainText(TEST_CLINIC.name);
  await expect(page.getByRole('region', { name: 'Recent updates' })).toContainText('Nothing new since your last visit.');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Home' })).toHaveAttribute('aria-current', 'page');

  const signOuts: (string | undefined)[] = [];
  page.on('request', (request) => {
    if (request.method() === 'DELETE' && new URL(request.url()).pathname === '/api/session') {
      signOuts.push(request.headers()[CSRF_HEADER]);
    }
  });
  await page.getByRole('button', { name: 'Sign Out' }).click();
  await expect(page).toHaveURL(url('/sign-in'));
  await expect(page.getByRole('status')).toHaveText('You have signed out.');
  expect(signOuts).toEqual([session.csrfToken]);
  await expect(page.getByRole('button', { name: 'Sign Out' })).toHaveCount(0);
  // The session is over on the server, not just in the page.
  expect((await page.request.get(url('/api/session'))).status()).toBe(401);
});
