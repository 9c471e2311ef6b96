import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { readMails, waitForMail } from '../../fixtures/mail';
import type { RealPortal } from './realPatients';
import { startRealPortal } from './realPatients';

/** A notification email's link, followed in Chromium by the signed-out patient: Sign In, then the item. */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});

async function signIn(page: Page, username: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('Password1');
  await page.getByRole('button', { name: 'Sign In' }).click();
}

test('the new-message email links to the thread: signed out, Sign In first, then the thread opens', async ({ page }) => {
  const pat = await real.newPatient('Lena');
  const before = (await readMails(real.portal.mailDir)).filter((m) => m.to.includes(pat.email)).length;
  const threadId = randomUUID();
  const started = await real.team.desk.apply('startThread', { threadId, messageId: randomUUID(), patientId: pat.patientId, subject: 'Your lab results', body: 'Your potassium is a little low.' });
  expect(started.status).toBe('applied');
  await real.portal.handle.flushMail();
  const mail = await waitForMail(real.portal.mailDir, pat.email, { after: before });
  // Still no health information: no subject, no text, no staff name.
  for (const phi of ['lab results', 'potassium', 'Dana', 'Lena']) {
    expect(mail.subject + mail.text + mail.html).not.toContain(phi);
  }
  const link = /href="([^"]+)"/.exec(mail.html)?.[1] ?? '';
  expect(link).toBe(`${real.portal.url}/messages/${threadId}`);
  expect(mail.text).toContain(link);

  await page.goto(link);
  await signIn(page, pat.username);
  await expect(page.getByRole('heading', { level: 1, name: 'Your lab results' })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe(`/messages/${threadId}`);
  await expect(page.getByText('Your potassium is a little low.')).toBeVisible();
});

test('a link to somewhere that is not a portal page goes home after Sign In, on this site', async ({ page }) => {
  const pat = await real.newPatient('Omar');
  for (const hostile of ['/not-a-portal-page', '/sign-in?next=//evil.example', '/%2F%2Fevil.example/messages']) {
    // A signed-out browser each round (the session cookie forgotten).
    await page.context().clearCookies();
    await page.goto(`${real.portal.url}${hostile}`);
    await signIn(page, pat.username);
    await expect(page.getByRole('heading', { level: 1, name: /^Welcome/ })).toBeVisible();
    expect(new URL(page.url()).origin).toBe(real.portal.url);
    expect(new URL(page.url()).pathname).toBe('/');
  }
});
