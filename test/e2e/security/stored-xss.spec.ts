import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { AppointmentView } from '../../../shared/domain/appointment';
import type { ThreadView } from '../../../shared/domain/message';
import { waitForMail } from '../../fixtures/mail';
import { signInPatient } from '../../fixtures/patients';
import type { TestPortal } from '../../fixtures/portal';
import { TestConsole, api, signInStaff } from '../../fixtures/portal';
import type { ConsoleUnderTest } from '../console/consoleHarness';
import { openConsole } from '../console/consoleHarness';
import { physician, receptionist, signIn, startDemoPortal } from '../console/demoDesk';

/**
 * Stored XSS, rendered: a patient whose name, messages, appointment reason and renewal note are
 * markup, and a physician who writes markup into the record and a reply. The patient portal and
 * the staff console show every one of them as literal text: no element is created from them and
 * no script runs (no dialog ever opens).
 */
const XSS_IMG = '<img src=x onerror=alert(1)>';
const XSS_SCRIPT = '<script>alert(2)</script>';
const USERNAME = 'XssPatient1';
const PASSWORD = 'Password1';

let portal: TestPortal;
let desk: ConsoleUnderTest | undefined;

test.beforeEach(async () => {
  portal = await startDemoPortal();
  await seedMarkup(portal);
});
test.afterEach(async () => {
  await desk?.close();
  desk = undefined;
  await portal.stop();
});

/** The hostile patient and their data, made through the real API as a browser and a console would. */
async function seedMarkup(p: TestPortal): Promise<void> {
  const frontDesk = new TestConsole(p.url, (await signInStaff(p.url, receptionist.username, receptionist.password)).token);
  const doctorSignIn = await signInStaff(p.url, physician.username, physician.password);
  const doctor = new TestConsole(p.url, doctorSignIn.token);
  const email = `xss.${randomUUID().slice(0, 8)}@example.com`;
  const { patientId } = await frontDesk.preRegister({ givenName: XSS_IMG, familyName: XSS_SCRIPT, email, dateOfBirth: '1986-04-12' });
  await p.handle.flushMail();
  const mail = await waitForMail(p.mailDir, email);
  const token = new URL(mail.link ?? 'http://x/').hash.replace('#token=', '');
  const registered = await api(p.url, '/api/registration', {
    body: {
      token,
      username: USERNAME,
      password: PASSWORD,
      confirmPassword: PASSWORD,
      question1: 'first-pet',
      answer1: XSS_IMG,
      question2: 'birth-city',
      answer2: XSS_SCRIPT,
      dateOfBirth: '04/12/1986',
      registrationId: mail.registrationId ?? '',
    },
  });
  expect(registered.status).toBe(201);
  const medicationId = randomUUID();
  const saved = await doctor.push([
    doctor.mutation('saveRecordEntry', {
      kind: 'medication',
      entryId: medicationId,
      patientId,
      fields: { name: XSS_IMG, dose: XSS_SCRIPT, instructions: XSS_IMG, prescriberName: XSS_SCRIPT, refillsLeft: 1, active: true },
      baseVersion: 0,
    }),
    doctor.mutation('saveRecordEntry', { kind: 'allergy', entryId: randomUUID(), patientId, fields: { substance: XSS_SCRIPT, reaction: XSS_IMG, severity: 'mild' }, baseVersion: 0 }),
  ]);
  expect(saved.body.outcomes.map((o) => o.status)).toEqual(['applied', 'applied']);
  const patient = await signInPatient(p.url, USERNAME, PASSWORD);
  const thread = await patient.post<ThreadView>('/api/messages', { subject: XSS_IMG, body: XSS_SCRIPT });
  const appointment = await patient.post<AppointmentView>('/api/appointments', { reason: XSS_IMG, preferredPhysicianId: null, preferredTimes: XSS_SCRIPT });
  const renewal = await patient.post('/api/renewals', { medicationId, pharmacy: XSS_IMG, note: XSS_SCRIPT });
  expect([thread.status, appointment.status, renewal.status]).toEqual([201, 201, 201]);
  const reply = await doctor.push([doctor.mutation('replyToThread', { threadId: thread.body.id, messageId: randomUUID(), body: `${XSS_IMG} ${XSS_SCRIPT}` })]);
  expect(reply.body.outcomes[0]?.status).toBe('applied');
}

/** Records every dialog a page opens (alert, confirm, prompt); a stored payload that ran would open one. */
function watchDialogs(page: Page): string[] {
  const opened: string[] = [];
  page.on('dialog', (dialog) => {
    opened.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return opened;
}

/** The payload is on the page as text, and nothing was built from it. */
async function expectLiteral(page: Page, texts: string[] = [XSS_IMG]): Promise<void> {
  for (const text of texts) {
    await expect(page.getByText(text).filter({ visible: true }).first()).toBeVisible();
  }
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('script', { hasText: 'alert(' })).toHaveCount(0);
  await expect(page.locator('[onerror]')).toHaveCount(0);
}

test('the patient portal shows names, the record, appointments, renewals and messages holding markup as plain text', async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  const dialogs = watchDialogs(page);
  await page.goto(`${portal.url}/sign-in`);
  await page.getByLabel('Username').fill(USERNAME);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { name: /^Welcome,/ })).toBeVisible();
  await expectLiteral(page);

  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Medical Record' }).click();
  await expect(page.getByRole('table', { name: 'Medications' })).toBeVisible();
  await expectLiteral(page, [XSS_IMG, XSS_SCRIPT]);

  await nav.getByRole('link', { name: 'Appointments' }).click();
  await expect(page.getByRole('region', { name: 'Requests and proposed times' })).toContainText(XSS_IMG);
  await expectLiteral(page, [XSS_IMG]);

  await nav.getByRole('link', { name: 'Prescription Renewals' }).click();
  await expect(page.getByRole('region', { name: 'Your renewal requests' })).toContainText(XSS_IMG);
  await expectLiteral(page, [XSS_IMG]);

  await nav.getByRole('link', { name: /^Messages/ }).click();
  const conversations = page.getByRole('region', { name: 'Your conversations' });
  await conversations.getByRole('link', { name: XSS_IMG }).click();
  await expect(page.getByText(XSS_SCRIPT).filter({ visible: true }).first()).toBeVisible();
  await expectLiteral(page, [XSS_IMG, XSS_SCRIPT]);

  expect(dialogs).toEqual([]);
});

test('the staff console shows the patient, their record, requests, renewals and messages holding markup as plain text', async ({ page }) => {
  const dialogs = watchDialogs(page);
  desk = await openConsole(page, { serverUrl: portal.url });
  await signIn(page, physician);

  await page.getByRole('link', { name: 'Patients', exact: true }).click();
  await page.getByRole('link', { name: XSS_IMG }).click();
  const record = page.getByRole('region', { name: 'Medical record' });
  await expect(record.getByRole('table', { name: 'Medications' })).toContainText(XSS_IMG);
  await expectLiteral(page, [XSS_IMG, XSS_SCRIPT]);

  await page.getByRole('link', { name: /^Renewals/ }).click();
  await expect(page.getByRole('row', { name: /<img src=x/ }).first()).toBeVisible();
  await expectLiteral(page, [XSS_IMG, XSS_SCRIPT]);

  await page.getByRole('link', { name: /^Messages/ }).click();
  await page.getByRole('link', { name: XSS_IMG, exact: true }).click();
  await expect(page.getByText(XSS_SCRIPT).filter({ visible: true }).first()).toBeVisible();
  await expectLiteral(page, [XSS_IMG, XSS_SCRIPT]);

  await page.getByRole('link', { name: /^Appointments/ }).click();
  await expect(page.getByRole('row', { name: /<img src=x/ }).first()).toBeVisible();
  await expectLiteral(page, [XSS_IMG]);

  expect(dialogs).toEqual([]);
});
