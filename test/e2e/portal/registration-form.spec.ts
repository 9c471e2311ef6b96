import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { RegistrationRequest } from '../../../shared/api/types';
import { SECURITY_QUESTIONS } from '../../../shared/domain/securityQuestions';
import { InvitationEntity, PatientAccountEntity } from '../../../shared/node/entities/server';
import { waitForMail } from '../../fixtures/mail';
import { TEST_CLINIC, api } from '../../fixtures/portal';
import type { RealPortal } from './realPatients';
import { startRealPortal } from './realPatients';

/**
 * The "Complete Registration" page's contract with patients (the patient guide's labels, hints
 * and rules) and with screen readers, checked against the built app and a real portal server: the
 * invitation is made at the desk and read back from its delivered email.
 */

const HELP = "Registration problems? Please contact your doctor's office for further assistance.";
const PASSWORD_HINT = 'Minimum length of 8 characters and includes 1 number & 1 capital letter (ex: Password1)';
const DOB_LABEL = 'Account Verification 1: Please enter Date of Birth';
const DOB_HINT = 'Date of Birth will be in the following format: mm/dd/yyyy';
const REG_ID_LABEL = 'Account Verification 2: Please enter Registration ID';
const REG_ID_HINT = 'The registration ID can be found on your Patient Portal invite you received via email.';
/** The clinic's phone as a tel: link dials it: digits only. */
const TEL = `tel:${TEST_CLINIC.phone.replace(/\D/g, '')}`;

let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});
const url = (path: string) => `${real.portal.url}${path}`;

interface Invitation {
  invitationId: string;
  email: string;
  link: string;
  token: string;
  registrationId: string;
}

/** The desk pre-registers William (born 04/12/1986) with an invitation; its email is delivered and read back. */
async function invite(): Promise<Invitation> {
  const email = `william.${randomUUID().slice(0, 8)}@example.com`;
  const { invitationId, response } = await real.team.desk.console.preRegister({ givenName: 'William', familyName: 'Hart', email, dateOfBirth: '1986-04-12' });
  expect(response.outcomes[0]?.status).toBe('applied');
  await real.portal.handle.flushMail();
  const mail = await waitForMail(real.portal.mailDir, email);
  const link = mail.link ?? '';
  return { invitationId, email, link, token: new URL(link).hash.replace('#token=', ''), registrationId: mail.registrationId ?? '' };
}

/** What the page sends to the server: registrations and link checks. */
interface Sent {
  registrations: RegistrationRequest[];
  linkChecks: number;
}
function watch(page: Page): Sent {
  const sent: Sent = { registrations: [], linkChecks: 0 };
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (request.method() === 'POST' && path === '/api/registration') {
      sent.registrations.push(request.postDataJSON() as RegistrationRequest);
    } else if (request.method() === 'POST' && path === '/api/registration/link-status') {
      sent.linkChecks += 1;
    }
  });
  return sent;
}

async function openInvitationLink(page: Page, invitation?: Invitation): Promise<Sent & { invitation: Invitation }> {
  const inv = invitation ?? (await invite());
  const sent = watch(page);
  await page.goto(inv.link);
  await expect(page.getByRole('heading', { level: 1, name: 'Complete Registration' })).toBeVisible();
  return Object.assign(sent, { invitation: inv });
}

/** A username nobody has yet (8 characters or more). */
const freshUsername = () => `William${randomUUID().slice(0, 6)}`;

async function fillValidForm(page: Page, inv: Invitation, username: string): Promise<void> {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill('Password1');
  await page.getByLabel('Re-type Password').fill('Password1');
  await page.getByRole('combobox', { name: 'Security Question 1' }).selectOption({ label: 'What was the name of your first pet?' });
  await page.getByRole('textbox', { name: 'Answer to Security Question 1' }).fill('Rex');
  await page.getByRole('combobox', { name: 'Security Question 2' }).selectOption({ label: 'In what city were you born?' });
  await page.getByRole('textbox', { name: 'Answer to Security Question 2' }).fill('Springfield');
  await page.getByLabel(DOB_LABEL).fill('04/12/1986');
  await page.getByLabel(REG_ID_LABEL).fill(inv.registrationId);
}

/** The invitation's status and whether an account exists with that username, on the server. */
async function onServer(inv: Invitation, username: string): Promise<{ status: string; account: boolean }> {
  return real.portal.handle.context.db.read(async (m) => ({
    status: (await m.findOneByOrFail(InvitationEntity, { id: inv.invitationId })).status,
    account: (await m.countBy(PatientAccountEntity, { usernameNormalized: username.toLowerCase() })) > 0,
  }));
}

test('the form has the guide’s headings, labels, hints and button', async ({ page }) => {
  await openInvitationLink(page);

  await expect(page.getByText('Please fill in all the fields and select Register to complete registration. All fields are required on this page.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sign In Information' })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText(TEST_CLINIC.name);

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
  await expect(page.getByRole('main').getByRole('link', { name: TEST_CLINIC.phone })).toHaveAttribute('href', TEL);

  // Hints are read with their fields, and only with their fields.
  await expect(password).toHaveAccessibleDescription(PASSWORD_HINT);
  await expect(page.getByLabel(DOB_LABEL)).toHaveAccessibleDescription(DOB_HINT);
  await expect(page.getByLabel(REG_ID_LABEL)).toHaveAccessibleDescription(REG_ID_HINT);
  await expect(username).toHaveAccessibleDescription('');
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('the link’s token leaves the address bar but is sent with the registration', async ({ page }) => {
  const sent = await openInvitationLink(page);
  const inv = sent.invitation;
  expect(page.url()).toBe(url('/register'));
  expect(page.url()).not.toContain('token');

  const username = freshUsername();
  await fillValidForm(page, inv, username);
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('dialog', { name: 'Registration Complete' })).toBeVisible();
  expect(sent.registrations).toHaveLength(1);
  expect(sent.registrations[0]).toMatchObject({
    token: inv.token,
    username,
    password: 'Password1',
    confirmPassword: 'Password1',
    question1: 'first-pet',
    answer1: 'Rex',
    question2: 'birth-city',
    answer2: 'Springfield',
    dateOfBirth: '04/12/1986',
    registrationId: inv.registrationId,
  });
  expect(await onServer(inv, username)).toEqual({ status: 'registered', account: true });
});

/** Puts an invitation in the state the server names `code`, the way it happens at a clinic. */
const LINK_STATES = [
  {
    code: 'invitation_expired',
    message: 'This invitation has expired. Ask your clinic to send a new one.',
    // The invitation lives 14 days: the server's clock is moved 15 days on while the page checks it.
    during: async (open: () => Promise<void>) => {
      const ctx = real.portal.handle.context;
      const realNow = ctx.now;
      ctx.now = () => new Date(Date.now() + 15 * 86_400_000);
      try {
        await open();
      } finally {
        ctx.now = realNow;
      }
    },
    before: async () => undefined,
  },
  {
    code: 'invitation_revoked',
    message: 'This invitation is no longer valid; your clinic may have sent you a newer one. Use the link in the most recent email, or ask your clinic.',
    during: (open: () => Promise<void>) => open(),
    before: async (inv: Invitation) => {
      expect((await real.team.desk.apply('revokeInvitation', { invitationId: inv.invitationId })).status).toBe('applied');
    },
  },
  {
    code: 'invitation_used',
    message: 'This invitation has already been used to register. Sign in with your username and password instead.',
    during: (open: () => Promise<void>) => open(),
    before: async (inv: Invitation) => {
      const body = { token: inv.token, username: freshUsername(), password: 'Password1', confirmPassword: 'Password1', question1: 'first-pet', answer1: 'Rex', question2: 'birth-city', answer2: 'Springfield', dateOfBirth: '04/12/1986', registrationId: inv.registrationId };
      expect((await api(real.portal.url, '/api/registration', { body })).status).toBe(201);
    },
  },
] as const;

for (const state of LINK_STATES) {
  test(`a link the server calls ${state.code} says so as the page opens, with no form to fill`, async ({ page }) => {
    const inv = await invite();
    await state.before(inv);
    const sent = watch(page);
    await state.during(async () => {
      await page.goto(inv.link);
      await expect(page.getByRole('alert')).toHaveText(new RegExp(state.message.replace(/[.()?]/g, '\\$&')));
    });
    await expect(page.getByRole('alert')).toBeFocused();
    expect(sent.linkChecks).toBe(1);
    await expect(page.getByLabel('Username', { exact: true })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Register' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Go to Sign In' })).toHaveCount(state.code === 'invitation_used' ? 1 : 0);
  });
}

test('a live link shows the form after its check', async ({ page }) => {
  const sent = await openInvitationLink(page);
  await expect(page.getByLabel('Username', { exact: true })).toBeVisible();
  expect(sent.linkChecks).toBe(1);
});

test('without a token the page explains where to start and shows no form', async ({ page }) => {
  await page.goto(url('/register'));
  await expect(page.getByText('Open the link in your invitation email')).toBeVisible();
  await expect(page.getByText(HELP)).toBeVisible();
  await expect(page.getByRole('main').getByRole('link', { name: TEST_CLINIC.phone })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Register' })).toHaveCount(0);
});

test('client-side checks mark each wrong field and send nothing', async ({ page }) => {
  const sent = await openInvitationLink(page);
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
  expect(sent.registrations).toHaveLength(0);

  // Fixing a field clears its error as the patient types.
  await username.fill('William2');
  await expect(username).not.toHaveAttribute('aria-invalid', 'true');
  await expect(username).toHaveAccessibleDescription('');
  expect(await onServer(sent.invitation, 'bob')).toEqual({ status: 'sent', account: false });
});

test('a verification failure from the server is one form-level alert', async ({ page }) => {
  const sent = await openInvitationLink(page);
  const username = freshUsername();
  await fillValidForm(page, sent.invitation, username);
  // A Registration ID that is not this invitation's: the server cannot verify the patient.
  const wrongId = sent.invitation.registrationId === 'ABCD-2345' ? 'ABCD-2346' : 'ABCD-2345';
  await page.getByLabel(REG_ID_LABEL).fill(wrongId);
  await page.getByRole('button', { name: 'Register' }).click();

  const alert = page.getByRole('alert');
  await expect(alert).toHaveCount(1);
  await expect(alert).toHaveText('We could not verify your details. Check your date of birth and the Registration ID in your invitation email, and try again.');
  await expect(alert).toBeFocused();
  // It names neither verification field.
  await expect(page.getByLabel(DOB_LABEL)).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel(REG_ID_LABEL)).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('button', { name: 'Register' })).toBeEnabled();
  expect(sent.registrations).toHaveLength(1);
  expect(await onServer(sent.invitation, username)).toEqual({ status: 'sent', account: false });
});

test('a taken username from the server is shown on the Username field', async ({ page }) => {
  const someone = await real.newPatient('Taken');
  const sent = await openInvitationLink(page);
  await fillValidForm(page, sent.invitation, someone.username);
  await page.getByRole('button', { name: 'Register' }).click();

  const username = page.getByLabel('Username', { exact: true });
  await expect(username).toHaveAttribute('aria-invalid', 'true');
  await expect(username).toHaveAccessibleDescription('That username is taken. Choose another.');
  await expect(username).toBeFocused();
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(sent.registrations).toHaveLength(1);
  expect((await onServer(sent.invitation, someone.username)).status).toBe('sent');
});

test('success opens the “Registration Complete” dialog, which leads to Sign In', async ({ page }) => {
  const sent = await openInvitationLink(page);
  const username = freshUsername();
  await fillValidForm(page, sent.invitation, username);
  await page.getByRole('button', { name: 'Register' }).click();

  const dialog = page.getByRole('dialog', { name: 'Registration Complete' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expect(dialog).toContainText(username);
  const continueButton = dialog.getByRole('button', { name: 'Continue to Sign In' });
  await expect(continueButton).toBeFocused();

  await continueButton.click();
  await expect(page).toHaveURL(url('/sign-in'));
  await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
  await expect(page.getByLabel('Username', { exact: true })).toHaveValue(username);
  // The new account works.
  await page.getByLabel('Password', { exact: true }).fill('Password1');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome, William' })).toBeVisible();
});

test('Escape closes the dialog and leaves the outcome on the page', async ({ page }) => {
  const sent = await openInvitationLink(page);
  await fillValidForm(page, sent.invitation, freshUsername());
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('dialog', { name: 'Registration Complete' })).toBeVisible();

  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByText('Registration is complete.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Register' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Continue to Sign In' })).toBeVisible();
});

test('while the server answers, the button says “Registering…” and cannot be pressed twice', async ({ page }) => {
  const inv = await invite();
  const username = freshUsername();
  // Stub (delay only): the real server answers too fast to see the busy button, so the request
  // is held here until the test has looked, then passed on to the real server unchanged.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolveHeld) => {
    release = resolveHeld;
  });
  await page.route('**/api/registration', async (route) => {
    await held;
    await route.fallback();
  });
  const sent = await openInvitationLink(page, inv);
  await fillValidForm(page, inv, username);
  await page.getByRole('button', { name: 'Register' }).click();

  await expect(page.getByRole('button', { name: 'Registering…' })).toBeDisabled();
  release();
  await expect(page.getByRole('dialog', { name: 'Registration Complete' })).toBeVisible();
  expect(sent.registrations).toHaveLength(1);
  expect(await onServer(inv, username)).toEqual({ status: 'registered', account: true });
});

test('when the portal cannot be reached, the page says so and Retry recovers', async ({ page }) => {
  const inv = await invite();
  // Stub (network drop): the real server cannot refuse connections for one request; the first
  // clinic read is dropped, and Retry reaches the real server.
  let failClinic = true;
  await page.route('**/api/clinic', async (route) => {
    if (failClinic) {
      await route.abort('connectionrefused');
    } else {
      await route.fallback();
    }
  });
  await page.goto(inv.link);
  await expect(page.getByRole('alert')).toHaveText('The portal is not reachable. Try again in a moment.');
  expect(page.url()).not.toContain('token');

  failClinic = false;
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Complete Registration' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Register' })).toBeVisible();
});
