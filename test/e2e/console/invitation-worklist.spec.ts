import { expect, test } from '@playwright/test';
import { waitForMail } from '../../fixtures/mail';
import type { TestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { receptionist, signIn, startDemoPortal } from './demoDesk';

/** "Invitations needing attention" through the bridged console, against the demo clinic's real server. */
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

/** Locks Maria's invitation the way a guesser would: five wrong dates of birth through her link. */
async function lockMariasInvitation(): Promise<void> {
  await portal.handle.flushMail();
  const mail = await waitForMail(portal.mailDir, 'maria.lopez@example.com');
  const token = new URL(mail.link ?? '').hash.replace('#token=', '');
  for (let i = 0; i < 5; i += 1) {
    await fetch(`${portal.url}/api/registration`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: portal.url },
      body: JSON.stringify({
        token, username: 'MariaLopez1', password: 'Password1', confirmPassword: 'Password1', question1: 'first-pet', answer1: 'Rex',
        question2: 'birth-city', answer2: 'Springfield', dateOfBirth: '01/01/1990', registrationId: mail.registrationId ?? '',
      }),
    });
  }
}

test('a locked invitation is counted in the navigation, listed with why, and one "Print letter" takes it off the list', async ({ page }) => {
  await lockMariasInvitation();
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, receptionist);

  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Invitations (1 needs attention)' })).toBeVisible();
  await nav.getByRole('link', { name: /^Invitations/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Invitations needing attention' })).toBeVisible();
  const row = page.getByRole('row', { name: /Maria Lopez/ });
  await expect(row).toContainText('Locked after too many wrong tries');
  // Robert Chen's letter went out today: not on the list.
  await expect(page.getByRole('row', { name: /Robert Chen/ })).toHaveCount(0);

  await row.getByRole('button', { name: 'Print invitation letter for Maria Lopez' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The letter for Maria Lopez was saved and opened for printing' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('No invitation needs attention.');
  await expect(nav.getByRole('link', { name: 'Invitations', exact: true })).toBeVisible();

  // The patient's page shows the new invitation, and no "Expires" once it is revoked.
  await nav.getByRole('link', { name: 'Patients' }).click();
  await page.getByRole('link', { name: 'Maria Lopez' }).click();
  const panel = page.getByRole('region', { name: 'Invitation' });
  await expect(panel.getByText('Expires')).toBeVisible();
  await panel.getByRole('button', { name: 'Revoke invitation' }).click();
  await page.getByRole('dialog', { name: 'Revoke invitation?' }).getByRole('button', { name: 'Revoke invitation' }).click();
  await expect(panel.getByText('Expires')).toHaveCount(0);
});
