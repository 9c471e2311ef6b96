import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { DEMO, seedDemo } from '../../../portal-server/server/demo';
import { signInPatient } from '../../fixtures/patients';
import type { PatientClient } from '../../fixtures/patients';
import type { TestPortal } from '../../fixtures/portal';
import { startTestPortal } from '../../fixtures/portal';

function demoPerson<T>(person: T | undefined, who: string): T {
  if (!person) {
    throw new Error(`The demo clinic has no ${who}.`);
  }
  return person;
}

/** The demo clinic's people, as the console tests sign in with them. */
export const receptionist = demoPerson(DEMO.staff.find((s) => s.role === 'receptionist'), 'receptionist');
export const physician = demoPerson(DEMO.staff.find((s) => s.role === 'physician'), 'physician');
export const james = demoPerson(DEMO.registered.find((p) => p.givenName === 'James'), 'James Walker');
export const ana = demoPerson(DEMO.registered.find((p) => p.givenName === 'Ana'), 'Ana Silva');
export { DEMO };

/** A real portal server seeded with the demo clinic: requests, renewals, threads and records waiting. */
export async function startDemoPortal(): Promise<TestPortal> {
  const portal = await startTestPortal({ setUp: false });
  await seedDemo(portal.handle.context);
  return portal;
}

export async function signIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Staff sign in' })).toBeVisible();
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** The sync bar says every change reached the server. */
export async function expectAllSent(page: Page): Promise<void> {
  const sync = page.getByRole('status').filter({ hasText: /Online|Offline/ });
  await expect(sync).toContainText('Online');
  await expect(sync).toContainText('All changes sent');
}

/** A demo patient signed in to the patient API, as their browser would be. */
export function patientApi(portal: TestPortal, who: { username: string; password: string }): Promise<PatientClient> {
  return signInPatient(portal.url, who.username, who.password);
}
