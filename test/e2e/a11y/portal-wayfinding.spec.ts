import { expect, test } from '@playwright/test';
import type { TestPortal } from '../../fixtures/portal';
import { DEMO, james, startDemoPortal } from '../console/demoDesk';
import { signInThroughPage } from '../portal/realPatients';

/**
 * Finding one's way in the portal (issue 14 item 6), against a real server with the demo clinic:
 * a thread is titled with its subject, Messages stays the current link inside a thread, the
 * Medical Record has links to each section, and links that stand alone are 24 px tall or more.
 */
let portal: TestPortal;

test.beforeAll(async () => {
  portal = await startDemoPortal();
});
test.afterAll(async () => {
  await portal.stop();
});

test('a message thread is titled with its subject and keeps Messages as the current page', async ({ page }) => {
  await signInThroughPage(page, portal.url, james.username, james.password);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: /^Messages/ }).click();
  await page.getByRole('link', { name: 'Blood sugar readings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Blood sugar readings' })).toBeVisible();
  await expect(page).toHaveTitle(`Blood sugar readings — ${DEMO.clinic.name}`);
  await expect(nav.getByRole('link', { name: /^Messages/ })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'Home' })).not.toHaveAttribute('aria-current', 'page');

  const back = page.getByRole('link', { name: 'All messages' });
  expect((await back.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(24);
});

test('the Medical Record jumps to each section and puts the focus on its heading', async ({ page }) => {
  await signInThroughPage(page, portal.url, james.username, james.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Medical Record' }).click();
  const sections = page.getByRole('navigation', { name: 'Sections of your record' });
  await expect(sections.getByRole('link')).toHaveCount(6);
  const allergies = sections.getByRole('link', { name: 'Allergies' });
  expect((await allergies.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(24);
  await allergies.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 2, name: 'Allergies' })).toBeFocused();
});
