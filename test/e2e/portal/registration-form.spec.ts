import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page, Route } from '@playwright/test';
import type { ClinicPublicInfo, RegistrationRequest } from '../../../shared/api/types';
import type { ApiErrorResponse } from '../../../shared/api/errors';
import { SECURITY_QUESTIONS } from '../../../shared/domain/securityQuestions';
import { startStaticServer } from '../../fixtures/staticServer';
import type { StaticServer } from '../../fixtures/staticServer';

/**
 * The "Complete Registration" page's contract with patients (the patient guide's labels, hints
 * and rules) and with screen readers, checked against the built app with the API answered here.
 */

const CLINIC: ClinicPublicInfo = {
  name: 'Maple Street Family Clinic',
  phone: '(555) 010-2030',
  timeZone: 'America/New_York',
  passwordPolicy: 'default',
  today: '2026-11-26',
};
const TOKEN = 'link-token-7f3a9c';
const HELP = "Registration problems? Please contact your doctor's office for further assistance.";
const PASSWORD_HINT = 'Minimum length of 8 characters and includes 1 number & 1 capital letter (ex: Password1)';
const DOB_LABEL = 'Account Verification 1: Please enter Date of Birth';
const DOB_HINT = 'Date of Birth will be in the following format: mm/dd/yyyy';
const REG_ID_LABEL = 'Account Verification 2: Please enter Registration ID';
const REG_ID_HINT = 'The registration ID can be found on your Patient Portal invite you received via email.';

interface Answer {
  status: number;
  body?: unknown;
}

interface ApiMock {
  /** Every registration request body the page sent. */
  registrations: RegistrationRequest[];
  answerRegistration: (answer: Answer) => void;
  /** How many times the page checked its link. */
  linkChecks: number;
}

let server: StaticServer;

test.beforeAll(async () => {
  server = await startStaticServer(resolve(__dirname, '../../../out/portal-web'));
});
test.afterAll(async () => {
  await server.close();
});

async function fulfil(route: Route, answer: Answer): Promise<void> {
  await route.fulfill({
    status: answer.status,
    contentType: 'application/json',
    body: answer.body === undefined ? '' : JSON.stringify(answer.body),
  });
}

async function mockApi(page: Page, linkStatus: Answer = { status: 200, body: { status: 'live' } }): Promise<ApiMock> {
  const mock: ApiMock = {
    registrations: [],
    linkChecks: 0,
    answerRegistration: (answer) => {
      registrationAnswer = answer;
    },
  };
  let registrationAnswer: Answer = { status: 201, body: { username: 'William2' } };
  await page.route('**/api/**', async (route) => {
    const request = route.request();
    const path = new URL(request.url()).pathname;
    if (request.method() === 'GET' && path === '/api/clinic') {
      await fulfil(route, { status: 200, body: CLINIC });
    } else if (request.method() === 'POST' && path === '/api/registration/link-status') {
      mock.linkChecks += 1;
      await fulfil(route, linkStatus);
    } else if (request.method() === 'POST' && path === '/api/registration') {
      mock.registrations.push(request.postDataJSON() as RegistrationRequest);
      await fulfil(route, registrationAnswer);
    } else {
      const notSignedIn: ApiErrorResponse = { error: { code: 'not_signed_in', message: 'Sign in to continue.' } };
      await fulfil(route, { status: 401, body: notSignedIn });
    }
  });
  return mock;
}

async function openInvitationLink(page: Page): Promise<ApiMock> {
  const mock = await mockApi(page);
  await page.goto(`${server.url}/register#token=${TOKEN}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Complete Registration' })).toBeVisible();
  return mock;
}

async function fillValidForm(page: Page): Promise<void> {
  await page.getByLabel('Username', { exact: true }).fill('William2');
  await page.getByLabel('Password', { exact: true }).fill('Password1');
  await page.getByLabel('Re-type Password').fill('Password1');
  await page.getByRole('combobox', { name: 'Security Question 1' }).selectOption({ label: 'What was the name of your first pet?' });
  await page.getByRole('textbox', { name: 'Answer to Security Question 1' }).fill('Rex');
  await page.getByRole('combobox', { name: 'Security Question 2' }).selectOption({ label: 'In what city were you born?' });
  await page.getByRole('textbox', { name: 'Answer to Security Question 2' }).fill('Springfield');
  await page.getByLabel(DOB_LABEL).fill('04/12/1986');
  await page.getByLabel(REG_ID_LABEL).fill('ABCD-2345');
}

test('the form has the guide’s headings, labels, hints and button', async ({ page }) => {
  await openInvitationLink(page);

  await expect(page.getByText('Please fill in all the fields and select Register to complete registration. All fields are required on this page.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sign In Information' })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText(CLINIC.name);

  const username = page.getByLabel('Username', { exact: true });
  await expect(username).toHaveAttribute('type', 'text');
  await expect(username).toHaveAttribute('autocomplete', 'username');
  const password = page.getByLabel('Password', { exact: true });
  await expect(password).toHaveAttribute('type', 'password');
  await expect(password).toHaveAttribute('autocomplete', 'new-password');
  await expect(page.getByLabel('Re-type Password')).toHaveAttribute('type', 'password');

  for (const n of [1, 2]) {
    const question = page.getByRole('combobox', { name: `Security Question ${n}` });
    await expect(question).toHaveValue('');
    const options = question.getByRole('option');
    await expect(options).toHaveCount(SECURITY_QUESTIONS.length + 1);
    await expect(options.first()).toHaveText('Select One');
    await expect(options.first()).toHaveAttribute('value', '');
    await expect(question.getByRole('option', { name: SECURITY_QUESTIONS[0].text })).toHaveCount(1);
    // The visible label says "Answer"; the accessible name says which question it answers.
    await expect(page.getByRole('textbox', { name: `Answer to Security Question ${n}`, exact: true })).toBeVisible();
  }
  await expect(page.getByText('Answer', { exact: true })).toHaveCount(2);

  await expect(page.getByLabel(DOB_LABEL)).toBeVisible();
  await expect(page.getByLabel(REG_ID_LABEL)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Register' })).toBeEnabled();
  await expect(page.getByText(HELP)).toBeVisible();
  await expect(page.getByRole('link', { name: CLINIC.phone })).toHaveAttribute('href', 'tel:5550102030');

  // Hints are read with their fields, and only with their fields.
  await expect(password).toHaveAccessibleDescription(PASSWORD_HINT);
  await expect(page.getByLabel(DOB_LABEL)).toHaveAccessibleDescription(DOB_HINT);
  await expect(page.getByLabel(REG_ID_LABEL)).toHaveAccessibleDescription(REG_ID_HINT);
  await expect(username).toHaveAccessibleDescription('');
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('the link’s token leaves the address bar but is sent with the registration', async ({ page }) => {
  const mock = await openInvitationLink(page);
  expect(page.url()).toBe(`${server.url}/register`);
  expect(page.url()).not.toContain('token');

  await fillValidForm(page);
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('dialog', { name: 'Registration Complete' })).toBeVisible();
  expect(mock.registrations).toHaveLength(1);
  expect(mock.registrations[0]).toMatchObject({
    token: TOKEN,
    username: 'William2',
    password: 'Password1',
    confirmPassword: 'Password1',
    question1: 'first-pet',
    answer1: 'Rex',
    question2: 'birth-city',
    answer2: 'Springfield',
    dateOfBirth: '04/12/1986',
    registrationId: 'ABCD-2345',
  });
});

for (const [code, status, message] of [
  ['invitation_expired', 410, 'This invitation has expired. Ask your clinic to send a new one.'],
  ['invitation_revoked', 410, 'This invitation is no longer valid; your clinic may have sent you a newer one. Use the link in the most recent email, or ask your clinic.'],
  ['invitation_used', 410, 'This invitation has already been used to register. Sign in with your username and password instead.'],
] as const) {
  test(`a link the server calls ${code} says so as the page opens, with no form to fill`, async ({ page }) => {
    const mock = await mockApi(page, { status, body: { error: { code, message } } });
    await page.goto(`${server.url}/register#token=${TOKEN}`);
    await expect(page.getByRole('alert')).toHaveText(new RegExp(message.replace(/[.()?]/g, '\\$&')));
    await expect(page.getByRole('alert')).toBeFocused();
    expect(mock.linkChecks).toBe(1);
    await expect(page.getByLabel('Username', { exact: true })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Register' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Go to Sign In' })).toHaveCount(code === 'invitation_used' ? 1 : 0);
  });
}

test('a live link shows the form after its check', async ({ page }) => {
  const mock = await openInvitationLink(page);
  await expect(page.getByLabel('Username', { exact: true })).toBeVisible();
  expect(mock.linkChecks).toBe(1);
});

test('without a token the page explains where to start and shows no form', async ({ page }) => {
  await mockApi(page);
  await page.goto(`${server.url}/register`);
  await expect(page.getByText('Open the link in your invitation email')).toBeVisible();
  await expect(page.getByText(HELP)).toBeVisible();
  await expect(page.getByRole('link', { name: CLINIC.phone })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Register' })).toHaveCount(0);
});

test('client-side checks mark each wrong field and send nothing', async ({ page }) => {
  const mock = await openInvitationLink(page);
  const username = page.getByLabel('Username', { exact: true });
  const confirm = page.getByLabel('Re-type Password');
  const question2 = page.getByRole('combobox', { name: 'Security Question 2' });
  const dateOfBirth = page.getByLabel(DOB_LABEL);

  // Leaving a field checks it.
  await username.fill('bob');
  await username.blur();
  await expect(username).toHaveAttribute('aria-invalid', 'true');
  await expect(username).toHaveAccessibleDescription('Username must have at least 8 characters (ex: William2).');

  await page.getByLabel('Password', { exact: true }).fill('Password1');
  await confirm.fill('Password2');
  await page.getByRole('combobox', { name: 'Security Question 1' }).selectOption('first-pet');
  await question2.selectOption('first-pet');
  await dateOfBirth.fill('02/30/2000');
  await page.getByRole('button', { name: 'Register' }).click();

  await expect(confirm).toHaveAttribute('aria-invalid', 'true');
  await expect(confirm).toHaveAccessibleDescription(/The passwords do not match\./);
  await expect(question2).toHaveAttribute('aria-invalid', 'true');
  await expect(question2).toHaveAccessibleDescription(/Choose a different question from Security Question 1\./);
  await expect(dateOfBirth).toHaveAttribute('aria-invalid', 'true');
  // The hint stays, and the error joins it: both are read with the field.
  await expect(dateOfBirth).toHaveAccessibleDescription(`${DOB_HINT} Enter your date of birth as mm/dd/yyyy (ex: 04/12/1986).`);
  await expect(page.getByLabel('Password', { exact: true })).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Password', { exact: true })).toHaveAccessibleDescription(PASSWORD_HINT);
  // Empty required fields are marked too.
  await expect(page.getByLabel(REG_ID_LABEL)).toHaveAttribute('aria-invalid', 'true');

  // Focus goes to the first field to fix.
  await expect(username).toBeFocused();
  expect(mock.registrations).toHaveLength(0);

  // Fixing a field clears its error as the patient types.
  await username.fill('William2');
  await expect(username).not.toHaveAttribute('aria-invalid', 'true');
  await expect(username).toHaveAccessibleDescription('');
});

test('a verification failure from the server is one form-level alert', async ({ page }) => {
  const mock = await openInvitationLink(page);
  const message =
    'We could not verify your details. Check your date of birth and the Registration ID in your invitation email.';
  mock.answerRegistration({ status: 400, body: { error: { code: 'verification_failed', message } } });

  await fillValidForm(page);
  await page.getByRole('button', { name: 'Register' }).click();

  const alert = page.getByRole('alert');
  await expect(alert).toHaveCount(1);
  await expect(alert).toHaveText(message);
  await expect(alert).toBeFocused();
  // It names neither verification field.
  await expect(page.getByLabel(DOB_LABEL)).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel(REG_ID_LABEL)).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('button', { name: 'Register' })).toBeEnabled();
  expect(mock.registrations).toHaveLength(1);
});

test('a taken username from the server is shown on the Username field', async ({ page }) => {
  const mock = await openInvitationLink(page);
  const message = 'That username is taken. Choose another.';
  mock.answerRegistration({ status: 409, body: { error: { code: 'username_taken', message, fields: { username: message } } } });

  await fillValidForm(page);
  await page.getByRole('button', { name: 'Register' }).click();

  const username = page.getByLabel('Username', { exact: true });
  await expect(username).toHaveAttribute('aria-invalid', 'true');
  await expect(username).toHaveAccessibleDescription(message);
  await expect(username).toBeFocused();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('success opens the “Registration Complete” dialog, which leads to Sign In', async ({ page }) => {
  await openInvitationLink(page);
  await fillValidForm(page);
  await page.getByRole('button', { name: 'Register' }).click();

  const dialog = page.getByRole('dialog', { name: 'Registration Complete' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expect(dialog).toContainText('William2');
  const continueButton = dialog.getByRole('button', { name: 'Continue to Sign In' });
  await expect(continueButton).toBeFocused();

  await continueButton.click();
  await expect(page).toHaveURL(`${server.url}/sign-in`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await expect(page.getByLabel('Username', { exact: true })).toHaveValue('William2');
});

test('Escape closes the dialog and leaves the outcome on the page', async ({ page }) => {
  await openInvitationLink(page);
  await fillValidForm(page);
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('dialog', { name: 'Registration Complete' })).toBeVisible();

  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByText('Registration is complete.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Register' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Continue to Sign In' })).toBeVisible();
});

test('while the server answers, the button says “Registering…” and cannot be pressed twice', async ({ page }) => {
  const mock = await mockApi(page);
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolveHeld) => {
    release = resolveHeld;
  });
  await page.route('**/api/registration', async (route) => {
    await held;
    await route.fallback();
  });
  await page.goto(`${server.url}/register#token=${TOKEN}`);
  await fillValidForm(page);
  await page.getByRole('button', { name: 'Register' }).click();

  await expect(page.getByRole('button', { name: 'Registering…' })).toBeDisabled();
  release();
  await expect(page.getByRole('dialog', { name: 'Registration Complete' })).toBeVisible();
  expect(mock.registrations).toHaveLength(1);
});

test('when the portal cannot be reached, the page says so and Retry recovers', async ({ page }) => {
  let failClinic = true;
  await mockApi(page);
  await page.route('**/api/clinic', async (route) => {
    if (failClinic) {
      await route.abort('connectionrefused');
    } else {
      await route.fallback();
    }
  });
  await page.goto(`${server.url}/register#token=${TOKEN}`);
  await expect(page.getByRole('alert')).toHaveText('The portal is not reachable. Try again in a moment.');
  expect(page.url()).not.toContain('token');

  failClinic = false;
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Complete Registration' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Register' })).toBeVisible();
});
