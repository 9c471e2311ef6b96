import { expect, test } from '@playwright/test';
import { generate } from 'otplib';
import type { RealPortal } from './realPatients';
import { signInThroughPage, startRealPortal } from './realPatients';

/** Issue 13: a patient turns on two-step sign-in on their Account page and signs in with a code (real server, real Chromium). */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});

const codeAt = (secret: string, stepOffset = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepOffset * 30 });

test('a patient turns on two-step sign-in from Account, sees the recovery codes once, and then signs in with a code', async ({ page }) => {
  const pat = await real.newPatient('Tomas');
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await page.goto(`${real.portal.url}/account`);
  const section = page.getByRole('region', { name: 'Two-step sign-in' });
  await section.getByRole('button', { name: 'Set up two-step sign-in' }).click();
  await expect(section.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await section.locator('.secret-key').innerText()).trim();
  await section.getByLabel('Code from your authenticator app').fill(await codeAt(secret));
  await section.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  await expect(section.getByRole('region', { name: 'Your recovery codes' }).getByRole('listitem')).toHaveCount(10);
  await expect(section.getByText(/Two-step sign-in is on/)).toBeVisible();

  await page.getByRole('button', { name: /Sign Out/i }).first().click();
  await page.goto(`${real.portal.url}/sign-in`);
  await page.getByLabel('Username').fill(pat.username);
  await page.getByLabel('Password').fill('Password1');
  await page.getByRole('button', { name: 'Sign In' }).click();
  const codeField = page.getByLabel('Code from your authenticator app');
  await expect(codeField).toBeFocused();
  // Turning it on used this step's code: the next step's is the first the sign-in accepts.
  await codeField.fill(await codeAt(secret, 1));
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Welcome/ })).toBeVisible();
});

test('a patient makes new recovery codes with a current code; an old one then fails at sign-in and a new one works', async ({ page }) => {
  const pat = await real.newPatient('Rosa');
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await page.goto(`${real.portal.url}/account`);
  const section = page.getByRole('region', { name: 'Two-step sign-in' });
  await section.getByRole('button', { name: 'Set up two-step sign-in' }).click();
  const secret = (await section.locator('.secret-key').innerText()).trim();
  await section.getByLabel('Code from your authenticator app').fill(await codeAt(secret));
  await section.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  const codes = section.getByRole('region', { name: 'Your recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  const first = await codes.allInnerTexts();

  // Turning it on used this step's code; the next step's is still inside the accepted window.
  await section.getByLabel('Current code from your authenticator app').fill(await codeAt(secret, 1));
  await section.getByRole('button', { name: 'Make new recovery codes' }).click();
  await expect(section.getByRole('heading', { name: 'Your recovery codes' })).toBeFocused();
  await expect.poll(async () => (await codes.allInnerTexts()).some((c) => first.includes(c))).toBe(false);
  const renewed = await codes.allInnerTexts();
  expect(renewed).toHaveLength(10);

  await page.getByRole('button', { name: /Sign Out/i }).first().click();
  await page.goto(`${real.portal.url}/sign-in`);
  await page.getByLabel('Username').fill(pat.username);
  await page.getByLabel('Password').fill('Password1');
  await page.getByRole('button', { name: 'Sign In' }).click();
  const codeField = page.getByLabel('Code from your authenticator app');
  await codeField.fill(first[0] ?? '');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('alert')).toContainText('That code is not right');
  await codeField.fill(renewed[0] ?? '');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Welcome/ })).toBeVisible();
});
