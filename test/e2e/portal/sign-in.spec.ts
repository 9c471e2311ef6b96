import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { ClinicPublicInfo, PatientSessionView } from '../../../shared/api/types';
import { CSRF_HEADER } from '../../../shared/api/types';
import type { ApiErrorResponse } from '../../../shared/api/errors';
import { startStaticServer } from '../../fixtures/staticServer';
import type { StaticServer } from '../../fixtures/staticServer';

/** Sign In, Home and Sign Out in the built app, with the API answered here. */

const CLINIC: ClinicPublicInfo = {
  name: 'Maple Street Family Clinic',
  phone: '(555) 010-2030',
  timeZone: 'America/New_York',
  passwordPolicy: 'default',
  today: '2026-11-26',
};
const SESSION: PatientSessionView = {
  patient: { givenName: 'William', familyName: 'Hart' },
  clinic: { name: CLINIC.name, phone: CLINIC.phone },
  language: null,
  csrfToken: 'csrf-1234',
  idleTimeoutSeconds: 900,
};
const notSignedIn: ApiErrorResponse = { error: { code: 'not_signed_in', message: 'Sign in to continue.' } };

interface SessionMock {
  signOutHeaders: Record<string, string>[];
}

let server: StaticServer;
test.beforeAll(async () => {
  server = await startStaticServer(resolve(__dirname, '../../../out/portal-web'));
});
test.afterAll(async () => {
  await server.close();
});

async function mockApi(page: Page): Promise<SessionMock> {
  const mock: SessionMock = { signOutHeaders: [] };
  let signedIn = false;
  await page.route('**/api/**', async (route) => {
    const request = route.request();
    const key = `${request.method()} ${new URL(request.url()).pathname}`;
    const json = (status: number, body?: unknown) =>
      route.fulfill({ status, contentType: 'application/json', body: body === undefined ? '' : JSON.stringify(body) });
    if (key === 'GET /api/clinic') {
      await json(200, CLINIC);
    } else if (key === 'GET /api/session') {
      await (signedIn ? json(200, SESSION) : json(401, notSignedIn));
    } else if (key === 'POST /api/session') {
      const body = request.postDataJSON() as { username: string; password: string };
      signedIn = body.username === 'William2' && body.password === 'Password1';
      await (signedIn
        ? json(200, SESSION)
        : json(401, { error: { code: 'invalid_credentials', message: 'That username and password do not match. Try again.' } }));
    } else if (key === 'GET /api/home') {
      await (signedIn
        ? json(200, { upcoming: [], unreadMessages: 0, pendingRenewals: 0, recentUpdates: [] })
        : json(401, notSignedIn));
    } else if (key === 'DELETE /api/session') {
      mock.signOutHeaders.push(request.headers());
      signedIn = false;
      await json(204);
    } else {
      await json(404, { error: { code: 'not_found', message: 'Not found.' } });
    }
  });
  return mock;
}

test('Home needs a session: a signed-out patient lands on Sign In', async ({ page }) => {
  await mockApi(page);
  await page.goto(`${server.url}/`);
  await expect(page).toHaveURL(`${server.url}/sign-in`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
});

test('empty fields and wrong credentials are explained', async ({ page }) => {
  await mockApi(page);
  await page.goto(`${server.url}/sign-in`);
  await page.getByRole('button', { name: 'Sign In' }).click();
  const username = page.getByLabel('Username', { exact: true });
  await expect(username).toHaveAttribute('aria-invalid', 'true');
  await expect(username).toHaveAccessibleDescription('Enter your username.');
  await expect(username).toBeFocused();

  await username.fill('William2');
  await page.getByLabel('Password', { exact: true }).fill('wrong-password');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('alert')).toHaveText('That username and password do not match. Try again.');
  await expect(page).toHaveURL(`${server.url}/sign-in`);
});

test('sign in, see Home, sign out with the CSRF token', async ({ page }) => {
  const mock = await mockApi(page);
  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel('Username', { exact: true }).fill('William2');
  await page.getByLabel('Password', { exact: true }).fill('Password1');
  await page.getByRole('button', { name: 'Sign In' }).click();

  await expect(page).toHaveURL(`${server.url}/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome, William' })).toBeFocused();
  await expect(page.getByRole('main')).toContainText(CLINIC.name);
  await expect(page.getByRole('region', { name: 'Recent updates' })).toContainText('Nothing new since your last visit.');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Home' })).toHaveAttribute('aria-current', 'page');

  await page.getByRole('button', { name: 'Sign Out' }).click();
  await expect(page).toHaveURL(`${server.url}/sign-in`);
  await expect(page.getByRole('status')).toHaveText('You have signed out.');
  expect(mock.signOutHeaders).toHaveLength(1);
  expect(mock.signOutHeaders[0]?.[CSRF_HEADER]).toBe(SESSION.csrfToken);
  await expect(page.getByRole('button', { name: 'Sign Out' })).toHaveCount(0);
});
