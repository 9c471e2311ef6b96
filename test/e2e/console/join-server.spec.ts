import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { generate } from 'otplib';
import type { TestPortal } from '../../fixtures/portal';
import { TEST_CLINIC, startTestPortal } from '../../fixtures/portal';
import { fetchFor } from '../../../src-main/net/serverIdentity';
import { mariaForm, startSignedInCore } from '../../../src-main/testSupport';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';

/**
 * A second desk joins the clinic's server, which runs over TLS with a self-signed certificate on
 * 127.0.0.1 (issue 16): the staff sign-in is part of joining, and the desk works at once.
 */
let certDir: string;
let tlsPortal: TestPortal;
let fingerprint: string;
let desk: ConsoleUnderTest | undefined;
let pem: string;
const receptionist = { username: 'joiningdesk', password: 'Copper-Kettle-Desk-81' };

test.beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'join-e2e-'));
  const cert = join(certDir, 'desk.crt');
  const key = join(certDir, 'desk.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=front-desk'], { stdio: 'ignore' });
  pem = readFileSync(cert, 'utf8');
  fingerprint = new X509Certificate(pem).fingerprint256;
  tlsPortal = await startTestPortal({ config: { tlsCert: cert, tlsKey: key } });
  // The hosting desk has a patient: the joining desk must show her once it works against this server.
  const hosting = await startSignedInCore(tlsPortal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword, { fetch: fetchFor({ fingerprint256: fingerprint, pem }) });
  try {
    await hosting.services.patients.preRegister(mariaForm(), false);
    await hosting.engine.syncNow();
  } finally {
    await hosting.dispose();
  }
});
test.afterEach(async () => {
  await desk?.close();
  desk = undefined;
});
test.afterAll(async () => {
  await tlsPortal?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

const savedConfig = (dir: string): string => (existsSync(join(dir, 'console.json')) ? readFileSync(join(dir, 'console.json'), 'utf8') : '');

test('a desk checks the server, shows the clinic and the fingerprint, refuses until it is confirmed and the sign-in works there, then works against it at once', async ({ page }) => {
  // This desk starts as a fresh one would: nobody signed in, its own server not reachable.
  desk = await openConsole(page, { serverUrl: 'http://127.0.0.1:9' });
  await page.getByRole('button', { name: "Connect to our clinic's server instead" }).click();
  await expect(page.getByRole('heading', { level: 1, name: "Connect to our clinic's server" })).toBeVisible();
  await expect(page).toHaveTitle("Connect to our clinic's server – Clinic Console");
  const before = savedConfig(desk.dataDir);
  const address = page.getByLabel('Server address');
  const checkButton = page.getByRole('button', { name: 'Check server' });

  await address.fill('http://192.168.1.20:3000');
  await checkButton.click();
  await expect(page.getByRole('alert')).toContainText('must start with https://');

  const closed = new URL(tlsPortal.url);
  await address.fill(`https://127.0.0.1:${Number(closed.port) === 1 ? 2 : 1}`);
  await checkButton.click();
  await expect(page.getByRole('alert')).toContainText('does not answer at that address');
  expect(savedConfig(desk.dataDir)).toBe(before);

  await address.fill(tlsPortal.url);
  await checkButton.click();
  const found = page.getByRole('region', { name: "Found the clinic's server" });
  await expect(found.getByRole('definition').first()).toHaveText(TEST_CLINIC.name);
  await expect(found.getByText(fingerprint)).toBeVisible();

  await found.getByRole('button', { name: 'Connect this computer' }).click();
  await expect(page.getByRole('alert')).toContainText('tick the box only if they match');
  expect(savedConfig(desk.dataDir)).toBe(before);

  await found.getByRole('checkbox', { name: 'The fingerprint matches the one on the server computer' }).check();
  // Without a name for this computer: refused in words, nothing saved.
  await found.getByRole('button', { name: 'Connect this computer' }).click();
  await expect(page.getByRole('alert')).toContainText('Give this computer a name');
  // …at its field too.
  const nameField = found.getByLabel('Name for this computer');
  await expect(nameField).toHaveAttribute('aria-invalid', 'true');
  await expect(found.getByText('Give this computer a name').first()).toBeVisible();
  expect(savedConfig(desk.dataDir)).toBe(before);

  await found.getByLabel('Name for this computer').fill('Front desk 2');
  // A wrong password: the server's sentence, the password emptied, nothing saved, still not signed in.
  await found.getByLabel('Username').fill(TEST_CLINIC.adminUsername);
  await found.getByLabel('Password').fill('Not-The-Password-1');
  await found.getByRole('button', { name: 'Connect this computer' }).click();
  await expect(page.getByRole('alert')).toHaveText('The username or password is not right, or the account is inactive.');
  await expect(found.getByLabel('Password')).toHaveValue('');
  await expect(nameField).not.toHaveAttribute('aria-invalid', 'true');
  expect(savedConfig(desk.dataDir)).toBe(before);
  expect((await desk.core.session.state()).signedIn).toBe(false);

  await found.getByLabel('Password').fill(TEST_CLINIC.adminPassword);
  await found.getByRole('button', { name: 'Connect this computer' }).click();
  // Signed in on the new server without a restart: its patient arrives through the pinned connection.
  await expect(page.getByRole('heading', { level: 1, name: 'Patients' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Maria Lopez' })).toBeVisible();
  const saved = JSON.parse(savedConfig(desk.dataDir)) as { hostServer: boolean; serverUrl: string; pinnedCertificate: { fingerprint256: string }; deviceName: string };
  expect(saved).toMatchObject({ hostServer: false, serverUrl: tlsPortal.url, pinnedCertificate: { fingerprint256: fingerprint }, deviceName: 'Front desk 2' });
});

test('a receptionist whose clinic requires a second factor sets it up while joining, and lands signed in', async ({ page }) => {
  const admin = await startSignedInCore(tlsPortal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword, { fetch: fetchFor({ fingerprint256: fingerprint, pem }) });
  try {
    await admin.services.staff.create({ ...receptionist, displayName: 'Jo Joining', role: 'receptionist' });
    const c = (await admin.services.auth.status()).clinic;
    if (!c) {
      throw new Error('the admin desk knows no clinic');
    }
    const { name, phone, address, timeZone, passwordPolicy, invitationLifetimeDays, appointmentCancelHours, staffTokenLifetimeDays, staffTokenIdleDays, messageRepliers } = c;
    await admin.services.clinic.update({ name, phone, address, timeZone, passwordPolicy, invitationLifetimeDays, appointmentCancelHours, staffTokenLifetimeDays, staffTokenIdleDays, messageRepliers, secondFactorPolicy: 'everyone' });
  } finally {
    await admin.dispose();
  }
  desk = await openConsole(page, { serverUrl: 'http://127.0.0.1:9' });
  await page.getByRole('button', { name: "Connect to our clinic's server instead" }).click();
  await page.getByLabel('Server address').fill(tlsPortal.url);
  await page.getByRole('button', { name: 'Check server' }).click();
  const found = page.getByRole('region', { name: "Found the clinic's server" });
  await found.getByRole('checkbox', { name: 'The fingerprint matches the one on the server computer' }).check();
  await found.getByLabel('Name for this computer').fill('Front desk 3');
  await found.getByLabel('Username').fill(receptionist.username);
  await found.getByLabel('Password').fill(receptionist.password);
  await found.getByRole('button', { name: 'Connect this computer' }).click();

  // Below "Your staff sign-in" (h3): heading levels never go back up.
  await expect(found.getByRole('heading', { level: 4, name: 'Set up your authenticator app' })).toBeVisible();
  await expect(found.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await found.locator('.secret-key').innerText()).trim();
  const before = savedConfig(desk.dataDir);
  // A wrong code: refused, nothing saved; the code is retyped.
  await found.getByLabel('Code from your authenticator app').fill('000000');
  await found.getByRole('button', { name: 'Connect this computer' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(found.getByLabel('Code from your authenticator app')).toHaveValue('');
  // The password was right: only the code is typed again.
  await expect(found.getByLabel('Password')).toHaveValue(receptionist.password);
  expect(savedConfig(desk.dataDir)).toBe(before);

  await found.getByLabel('Code from your authenticator app').fill(await generate({ secret }));
  await found.getByRole('button', { name: 'Connect this computer' }).click();
  const recovery = page.getByRole('alertdialog', { name: 'Your recovery codes' });
  await expect(recovery.getByRole('listitem')).toHaveCount(10);
  await recovery.getByRole('button', { name: 'I have saved my recovery codes' }).click();
  await expect(page.getByRole('link', { name: 'Maria Lopez' })).toBeVisible();
  expect(JSON.parse(savedConfig(desk.dataDir))).toMatchObject({ hostServer: false, serverUrl: tlsPortal.url, deviceName: 'Front desk 3' });
});
