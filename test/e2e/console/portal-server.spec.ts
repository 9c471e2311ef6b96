import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { readMails } from '../../fixtures/mail';
import type { TestPortal } from '../../fixtures/portal';
import { TEST_CLINIC, mailDirOf, startTestPortal } from '../../fixtures/portal';
import type { SmtpCatcher } from '../../fixtures/smtpCatcher';
import { startSmtpCatcher } from '../../fixtures/smtpCatcher';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { signIn } from './demoDesk';
import { readHostCertificate } from '../../../src-main/hostCertificate';

/** The "Portal server" screen of a hosting console (issue 16 item 4), through the bridged console. */
let portal: TestPortal;
let smtp: SmtpCatcher;
let desk: ConsoleUnderTest | undefined;

test.beforeAll(async () => {
  portal = await startTestPortal();
  smtp = await startSmtpCatcher();
});
test.afterEach(async () => {
  await desk?.close();
  desk = undefined;
});
test.afterAll(async () => {
  await smtp?.close();
  await portal?.stop();
});

const admin = { username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword };
const savedConfig = (dir: string): string => (existsSync(join(dir, 'console.json')) ? readFileSync(join(dir, 'console.json'), 'utf8') : '');

test('an admin on the hosting desk: a refusal changes nothing, settings are saved, and "Send test email" says where mail went', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url, host: portal.handle });
  await signIn(page, admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Portal server' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Portal server' })).toBeVisible();
  await expect(page).toHaveTitle('Portal server – Clinic Console');
  const folder = mailDirOf({ dataDir: join(desk.dataDir, 'portal') } as Parameters<typeof mailDirOf>[0]);
  await expect(page.getByText('Outgoing mail is not set up: emails to patients are not sent.')).toContainText(folder);
  await expect(page.getByText('No address for patients is set')).toBeVisible();

  // The server's own rule: no plain http off this computer. Refused with its sentence; nothing saved.
  const before = savedConfig(desk.dataDir);
  await page.getByLabel('Listen address').fill('0.0.0.0');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('alert')).toContainText('Refusing to listen on 0.0.0.0 without TLS');
  expect(savedConfig(desk.dataDir)).toBe(before);

  // Without a mail server the test email is written into the folder, and the screen says so.
  await page.getByLabel('Send a test email to').fill('alex@example-clinic.org');
  await page.getByRole('button', { name: 'Send test email' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Not emailed' })).toContainText(`Not emailed: outgoing mail is not set up. The test email was written into the folder ${folder}`);
  const written = await readMails(folder);
  expect(written.map((m) => [m.to, m.subject])).toEqual([['alex@example-clinic.org', 'Test email from the clinic portal']]);

  // A mail server (a real SMTP server on 127.0.0.1) with its password: saved, and the test email goes through it.
  await page.getByLabel('Listen address').fill('');
  await page.getByLabel('The address patients use').fill('https://portal.example-clinic.org');
  await page.getByLabel('Mail server address').fill(smtp.url('frontdesk'));
  await page.getByLabel('Mail server password').fill('Kettle pass 9');
  await page.getByLabel('Sender address').fill('desk@example-clinic.org');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved' })).toBeVisible();
  await expect(page.getByText('Outgoing mail is not set up: emails to patients are not sent.')).toHaveCount(0);
  await expect(page.getByText('No address for patients is set')).toHaveCount(0);
  const saved = savedConfig(desk.dataDir);
  expect(JSON.parse(saved)).toMatchObject({ portal: { publicUrl: 'https://portal.example-clinic.org', smtpUrl: smtp.url('frontdesk'), mailFrom: 'desk@example-clinic.org' } });
  expect(saved).not.toContain('Kettle pass 9');

  await page.getByRole('button', { name: 'Send test email' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The test email was sent' })).toContainText('alex@example-clinic.org');
  expect(smtp.mails.map((m) => [m.user, m.password, m.from, m.to])).toEqual([['frontdesk', 'Kettle pass 9', 'desk@example-clinic.org', ['alex@example-clinic.org']]]);
  expect(await readMails(folder)).toHaveLength(1);
});

test('a desk that does not host the portal has no "Portal server" screen', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, admin);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clinic settings' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Portal server' })).toHaveCount(0);
  await page.goto(page.url().replace(/#.*$/, '#/portal-server'));
  await expect(page.getByRole('heading', { level: 1, name: 'Portal server' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('This computer does not keep the clinic\'s records');
});

test('"Let other desks join" on the hosting desk shows the fingerprint of the certificate it made (issue 16 item 2)', async ({ page }) => {
  desk = await openConsole(page, { serverUrl: portal.url, host: portal.handle });
  await signIn(page, admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clinic settings' }).click();
  const panel = page.getByRole('region', { name: "This computer's server" });
  expect(readHostCertificate(desk.dataDir)).toBeNull();
  await panel.getByRole('button', { name: 'Let other desks join' }).click();
  await expect(panel.getByText("This computer's certificate fingerprint (SHA-256)")).toBeVisible();
  const made = readHostCertificate(desk.dataDir);
  expect(made?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  await expect(panel.locator('.fingerprint')).toHaveText(made?.fingerprint256 ?? 'none');
  expect(JSON.parse(savedConfig(desk.dataDir))).toMatchObject({ portal: { letDesksJoin: true } });
});
