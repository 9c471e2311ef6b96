import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { james } from '../console/demoDesk';
import { generate } from 'otplib';

/**
 * Every screen of both apps in the states a person sees them in, walked by axe-walk.spec.ts. This
 * is the one list the walk reads; axe-walk.spec.ts also fails when either app's router has a named
 * route that no entry here visits, so a new page cannot be added without being checked.
 *
 * Portal screens are checked at phone width, console screens at 640 CSS px (1280 px at 200% zoom).
 */
/** `patientEs`: Ana, signed in with Spanish chosen (the walk's other patient states are James's, in English). */
export type Who = 'guest' | 'patient' | 'patientEs' | 'admin' | 'physician';

export interface Screen {
  /** What a person is looking at, as the walk's test title says it. */
  state: string;
  /** The route names (from the app's router) this state shows. */
  routes: string[];
  who: Who;
  /** The window's title there (WCAG 2.4.2), when the walk checks it. */
  title?: string | RegExp;
  /** Console only: against a portal server that is not set up yet (the console's setup screen). */
  freshServer?: boolean;
  /** Console only: the console hosts the portal server (its "Portal server" screen). */
  hosting?: boolean;
  /** From the signed-in home (or the start page for a guest) to the state, as a person gets there. */
  open(page: Page, ctx: WalkContext): Promise<void>;
}

export interface WalkContext {
  /** The portal's address (the patient web app) */
  portalUrl: string;
  /** A fresh invitation link for the registration page. */
  invitationLink(): Promise<string>;
}

export const PHONE = { width: 375, height: 740 };
export const CONSOLE_AT_200_PERCENT = { width: 640, height: 400 };

const heading = (page: Page, name: string | RegExp) => expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
/** Follows a main-navigation link; on a phone the portal's links are behind its Menu button first. */
const go = async (page: Page, link: string, words: { nav: string; menu: string } = { nav: 'Main', menu: 'Menu' }) => {
  const nav = page.getByRole('navigation', { name: words.nav });
  const menu = nav.getByRole('button', { name: words.menu });
  if ((await menu.isVisible()) && (await menu.getAttribute('aria-expanded')) !== 'true') {
    await menu.click();
  }
  await nav.getByRole('link', { name: new RegExp(`^${link}`) }).click();
};
/** The same in Spanish. */
const goEs = (page: Page, link: string) => go(page, link, { nav: 'Principal', menu: 'Menú' });
const dialog = (page: Page, name: string | RegExp) => expect(page.getByRole('dialog', { name })).toBeVisible();
/** At least one field says it is wrong, and the form's summary is there. */
const errorsShown = (page: Page) => expect(page.locator('[aria-invalid="true"]').first()).toBeVisible();

export const PORTAL_SCREENS: Screen[] = [
  { state: 'Sign In, empty', routes: ['sign-in'], who: 'guest', open: async (page, ctx) => {
    await page.goto(`${ctx.portalUrl}/sign-in`);
    await heading(page, 'Sign In');
  } },
  { state: 'Sign In, with errors', routes: ['sign-in'], who: 'guest', open: async (page, ctx) => {
    await page.goto(`${ctx.portalUrl}/sign-in`);
    await page.getByRole('button', { name: 'Sign In' }).click();
    await errorsShown(page);
  } },
  { state: 'Sign In, wrong password', routes: ['sign-in'], who: 'guest', open: async (page, ctx) => {
    await page.goto(`${ctx.portalUrl}/sign-in`);
    await page.getByLabel('Username').fill('JamesWalker1');
    await page.getByLabel('Password').fill('NotHisPassword9');
    await page.getByRole('button', { name: 'Sign In' }).click();
    await expect(page.getByRole('alert').first()).toBeVisible();
  } },
  { state: 'Forgot Password, empty and with errors', routes: ['recover-password'], who: 'guest', open: async (page, ctx) => {
    await page.goto(`${ctx.portalUrl}/recover/password`);
    await heading(page, 'Forgot Your Password');
    await page.getByRole('button', { name: /Continue|Send code/ }).first().click();
    await errorsShown(page);
  } },
  { state: 'Forgot Username, with errors', routes: ['recover-username'], who: 'guest', open: async (page, ctx) => {
    await page.goto(`${ctx.portalUrl}/recover/username`);
    await heading(page, 'Forgot Your Username');
    await page.getByRole('button', { name: /Continue|Send/ }).first().click();
    await errorsShown(page);
  } },
  { state: 'Set a New Password, link missing', routes: ['reset-password'], who: 'guest', open: async (page, ctx) => {
    await page.goto(`${ctx.portalUrl}/reset-password`);
    await heading(page, 'Set a New Password');
  } },
  { state: 'Complete Registration, empty', routes: ['register'], who: 'guest', open: async (page, ctx) => {
    await page.goto(await ctx.invitationLink());
    await heading(page, 'Complete Registration');
  } },
  { state: 'Complete Registration, with errors', routes: ['register'], who: 'guest', open: async (page, ctx) => {
    await page.goto(await ctx.invitationLink());
    await page.getByRole('button', { name: 'Register' }).click();
    await errorsShown(page);
  } },
  { state: 'Complete Registration, link not valid', routes: ['register'], who: 'guest', open: async (page, ctx) => {
    await page.goto(`${ctx.portalUrl}/register#token=not-a-real-token-000000000000000`);
    await expect(page.getByRole('alert')).toContainText('This registration link is not valid.');
  } },
  { state: 'Complete Registration with a Registration ID, with errors', routes: ['register-with-id'], who: 'guest', open: async (page, ctx) => {
    await page.goto(`${ctx.portalUrl}/register-with-id`);
    await heading(page, 'Complete Registration');
    await page.getByRole('button', { name: 'Register' }).click();
    await errorsShown(page);
  } },
  // In Spanish (issue 15): the switch on the page, as a patient uses it. Guest pages only: a signed-in
  // switch saves the choice for the demo patient, and the walk's other patient states expect English.
  { state: 'Sign In in Spanish, with errors', routes: ['sign-in'], who: 'guest', open: async (page, ctx) => {
    await page.goto(`${ctx.portalUrl}/sign-in`);
    await page.getByRole('group', { name: /Language/ }).getByRole('button', { name: 'Español' }).click();
    await heading(page, 'Iniciar sesión');
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await errorsShown(page);
  } },
  { state: 'Complete Registration in Spanish, with errors', routes: ['register'], who: 'guest', open: async (page, ctx) => {
    await page.goto(await ctx.invitationLink());
    await page.getByRole('group', { name: /Language/ }).getByRole('button', { name: 'Español' }).click();
    await heading(page, 'Completar el registro');
    await page.getByRole('button', { name: 'Registrarse' }).click();
    await errorsShown(page);
  } },
  // Signed in, in Spanish: Ana's saved choice (the walk switches it on the page once).
  { state: 'Home in Spanish, filled', routes: ['home'], who: 'patientEs', title: /Inicio/, open: async (page) => {
    await heading(page, /^Bienvenido/);
  } },
  { state: 'Medical Record in Spanish, filled', routes: ['record'], who: 'patientEs', open: async (page) => {
    await goEs(page, 'Expediente médico');
    await heading(page, 'Expediente médico');
    await expect(page.getByRole('table').first()).toBeVisible();
  } },
  { state: 'Appointments in Spanish, request form with errors', routes: ['appointments'], who: 'patientEs', open: async (page) => {
    await goEs(page, 'Citas');
    await heading(page, 'Citas');
    await page.getByRole('button', { name: 'Enviar solicitud' }).click();
    await errorsShown(page);
  } },
  { state: 'Prescription Renewals in Spanish, form with errors', routes: ['renewals'], who: 'patientEs', open: async (page) => {
    await goEs(page, 'Renovación de recetas');
    await page.getByRole('button', { name: 'Enviar solicitud de renovación' }).click();
    await errorsShown(page);
  } },
  { state: 'Messages in Spanish, new message with errors', routes: ['messages'], who: 'patientEs', open: async (page) => {
    await goEs(page, 'Mensajes');
    await page.getByRole('button', { name: 'Enviar mensaje' }).click();
    await errorsShown(page);
  } },
  { state: 'Account in Spanish, change password with errors', routes: ['account'], who: 'patientEs', open: async (page) => {
    await goEs(page, 'Cuenta');
    await heading(page, 'Cuenta');
    await page.getByRole('button', { name: 'Cambiar la contraseña' }).click();
    await errorsShown(page);
  } },
  { state: 'Home, filled', routes: ['home'], who: 'patient', open: async (page) => {
    await heading(page, /^Welcome/);
  } },
  { state: 'Medical Record, filled', routes: ['record'], who: 'patient', open: async (page) => {
    await go(page, 'Medical Record');
    await expect(page.getByRole('table').first()).toBeVisible();
  } },
  { state: 'Appointments, filled, request form with errors', routes: ['appointments'], who: 'patient', open: async (page) => {
    await go(page, 'Appointments');
    await heading(page, 'Appointments');
    await page.getByRole('button', { name: 'Send request' }).click();
    await errorsShown(page);
  } },
  { state: 'Appointments, cancel dialog open', routes: ['appointments'], who: 'patient', open: async (page) => {
    await go(page, 'Appointments');
    await page.getByRole('button', { name: /^Cancel/ }).first().click();
    await dialog(page, /Cancel/);
  } },
  { state: 'Prescription Renewals, filled, form with errors', routes: ['renewals'], who: 'patient', open: async (page) => {
    await go(page, 'Prescription Renewals');
    await page.getByRole('button', { name: 'Send renewal request' }).click();
    await errorsShown(page);
  } },
  { state: 'Messages, filled, new message with errors', routes: ['messages'], who: 'patient', open: async (page) => {
    await go(page, 'Messages');
    await page.getByRole('button', { name: 'Send message' }).click();
    await errorsShown(page);
  } },
  { state: 'Message thread, reply with errors', routes: ['message-thread'], who: 'patient', open: async (page) => {
    await go(page, 'Messages');
    await page.getByRole('main').getByRole('link').first().click();
    await expect(page.getByRole('button', { name: 'Send reply' })).toBeVisible();
    await page.getByRole('button', { name: 'Send reply' }).click();
    await errorsShown(page);
  } },
  { state: 'Account, filled, change password with errors', routes: ['account'], who: 'patient', open: async (page) => {
    await go(page, 'Account');
    await heading(page, 'Account');
    await page.getByRole('button', { name: 'Change password' }).click();
    await errorsShown(page);
  } },
  { state: 'Account, email and phone with errors', routes: ['account'], who: 'patient', open: async (page) => {
    await go(page, 'Account');
    await heading(page, 'Account');
    await page.getByLabel('New phone number').fill('555-CALL-NOW');
    await page.getByRole('button', { name: 'Save phone number' }).click();
    await page.getByRole('button', { name: 'Send code' }).click();
    await errorsShown(page);
  } },
  { state: 'Account, new email waiting for its code', routes: ['account'], who: 'patient', open: async (page) => {
    await go(page, 'Account');
    await heading(page, 'Account');
    await page.getByLabel('New email address').fill('james.new@example.com');
    await page.getByLabel('Your password').fill(james.password);
    await page.getByRole('button', { name: 'Send code' }).click();
    await expect(page.getByLabel('6-digit code')).toBeVisible();
  } },
  { state: 'Account, setting up two-step sign-in (QR code, wrong code)', routes: ['account'], who: 'patient', open: async (page) => {
    await go(page, 'Account');
    const section = page.getByRole('region', { name: 'Two-step sign-in' });
    await section.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    await expect(section.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
    await section.getByLabel('Code from your authenticator app').fill('12345');
    await section.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await expect(section.getByRole('alert')).toBeVisible();
  } },
];

/** The console's first run up to its second step (the first admin's authenticator app). */
async function fillClinicSetup(page: Page): Promise<void> {
  await heading(page, 'Set up your clinic');
  await page.getByLabel('Clinic name').fill('Harbor Health');
  await page.getByLabel('Clinic phone').fill('(555) 222-3333');
  await page.getByLabel('Clinic address').fill('3 Dock Street');
  await page.getByLabel('Admin display name').fill('Hana Admin');
  await page.getByLabel('Admin username').fill('hanaadmin');
  await page.getByLabel('Admin password').fill('Harbor-Tide-Anchor-58');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Set up your authenticator app' })).toBeVisible();
}

export const CONSOLE_SCREENS: Screen[] = [
  { state: 'Set up your clinic, empty', routes: [], who: 'guest', freshServer: true, title: 'Set up your clinic – Clinic Console', open: async (page) => {
    await heading(page, 'Set up your clinic');
  } },
  { state: 'Set up your clinic, with errors', routes: [], who: 'guest', freshServer: true, open: async (page) => {
    await heading(page, 'Set up your clinic');
    await page.getByRole('button', { name: /Set up|Save|Create|Continue/ }).first().click();
    await errorsShown(page);
  } },
  { state: 'Set up your clinic, authenticator app step', routes: [], who: 'guest', freshServer: true, open: async (page) => {
    await fillClinicSetup(page);
    await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  } },
  { state: 'Set up your clinic, wrong authenticator code', routes: [], who: 'guest', freshServer: true, open: async (page) => {
    await fillClinicSetup(page);
    await page.getByLabel('Code from your authenticator app').fill('12345');
    await page.getByRole('button', { name: 'Create clinic' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
  } },
  { state: 'Set up your clinic, recovery codes shown once', routes: [], who: 'guest', freshServer: true, open: async (page) => {
    await fillClinicSetup(page);
    const secret = (await page.locator('.secret-key').innerText()).trim();
    await page.getByLabel('Code from your authenticator app').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Create clinic' }).click();
    await expect(page.getByRole('alertdialog', { name: 'Your recovery codes' })).toBeVisible();
  } },
  { state: "Connect to our clinic's server, address refused", routes: [], who: 'guest', title: "Connect to our clinic's server – Clinic Console", open: async (page) => {
    await page.getByRole('button', { name: "Connect to our clinic's server instead" }).click();
    await heading(page, "Connect to our clinic's server");
    await page.getByLabel('Server address').fill('http://192.168.1.20:3000');
    await page.getByRole('button', { name: 'Check server' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
  } },
  { state: 'Staff sign in, empty', routes: [], who: 'guest', title: 'Staff sign in – Clinic Console', open: async (page) => {
    await heading(page, 'Staff sign in');
  } },
  { state: 'Staff sign in, with errors', routes: [], who: 'guest', open: async (page) => {
    await page.getByRole('button', { name: 'Sign in' }).click();
    await errorsShown(page);
  } },
  { state: 'Patients, filled', routes: ['patients'], who: 'admin', title: 'Patients – Clinic Console', open: async (page) => {
    await heading(page, 'Patients');
    await expect(page.getByRole('table').first()).toBeVisible();
  } },
  { state: 'Pre-register patient, with errors', routes: ['patient-new'], who: 'admin', open: async (page) => {
    await page.getByRole('button', { name: 'Pre-register patient' }).click();
    await heading(page, 'Pre-register patient');
    await page.getByRole('button', { name: 'Save and send invitation' }).click();
    await errorsShown(page);
  } },
  { state: 'Patient page, invitation not emailed (outgoing mail not set up)', routes: ['patient'], who: 'admin', open: async (page) => {
    await go(page, 'Patients');
    await page.getByRole('link', { name: 'Maria Lopez' }).click();
    await expect(page.getByRole('region', { name: 'Invitation' }).getByText('Not emailed: outgoing mail is not set up')).toBeVisible({ timeout: 15_000 });
  } },
  { state: 'Patient page with medical record', routes: ['patient'], who: 'physician', open: async (page) => {
    await go(page, 'Patients');
    await page.getByRole('link', { name: 'Ana Silva' }).click();
    await expect(page.getByRole('region', { name: 'Medical record' })).toBeVisible();
  } },
  { state: 'Patient page, add lab result dialog with errors', routes: ['patient'], who: 'physician', open: async (page) => {
    await go(page, 'Patients');
    await page.getByRole('link', { name: 'Ana Silva' }).click();
    const labs = page.getByRole('region', { name: 'Lab results' });
    await labs.getByRole('button', { name: 'Add lab result' }).click();
    const add = page.getByRole('dialog', { name: 'Add lab result' });
    await add.getByRole('button', { name: 'Add lab result' }).click();
    await expect(add.getByText('Enter the test name.')).toBeVisible();
  } },
  { state: 'Appointment requests, filled', routes: ['appointments'], who: 'admin', open: async (page) => {
    await go(page, 'Appointments');
    await heading(page, 'Appointment requests');
  } },
  { state: 'Schedule, week grid', routes: ['schedule'], who: 'admin', open: async (page) => {
    await go(page, 'Appointments');
    await page.getByRole('link', { name: 'Schedule' }).click();
    await heading(page, 'Schedule');
  } },
  { state: 'Invitations needing attention', routes: ['invitations'], who: 'admin', open: async (page) => {
    await go(page, 'Invitations');
    await heading(page, 'Invitations needing attention');
  } },
  { state: 'Prescription renewals, filled', routes: ['renewals'], who: 'physician', open: async (page) => {
    await go(page, 'Renewals');
    await heading(page, 'Prescription renewals');
  } },
  { state: 'Messages inbox, filled', routes: ['messages'], who: 'admin', open: async (page) => {
    await go(page, 'Messages');
    await heading(page, 'Messages');
  } },
  // A physician: who may answer patients is a clinic setting, and admins may not (the form is hidden for them).
  { state: 'Message thread, reply with errors', routes: ['thread'], who: 'physician', open: async (page) => {
    await go(page, 'Messages');
    await page.getByRole('main').getByRole('table').getByRole('link').first().click();
    await page.getByRole('button', { name: 'Send reply' }).click();
    await errorsShown(page);
  } },
  { state: 'Staff, form with errors', routes: ['staff'], who: 'admin', open: async (page) => {
    await go(page, 'Staff');
    await heading(page, 'Staff');
    await page.getByRole('button', { name: 'Add staff member' }).click();
    await errorsShown(page);
  } },
  { state: 'Staff, reset second factor dialog', routes: ['staff'], who: 'admin', open: async (page) => {
    await go(page, 'Staff');
    await heading(page, 'Staff');
    await page.getByRole('button', { name: /^Reset second factor for/ }).first().click();
    await expect(page.getByRole('dialog', { name: 'Reset second factor?' }).or(page.getByRole('alertdialog', { name: 'Reset second factor?' }))).toBeVisible();
  } },
  { state: 'Clinic settings, filled', routes: ['settings'], who: 'admin', open: async (page) => {
    await go(page, 'Clinic settings');
    await heading(page, 'Clinic settings');
  } },
  { state: "Clinic settings, this computer's server tested", routes: ['settings'], who: 'admin', open: async (page) => {
    await go(page, 'Clinic settings');
    const panel = page.getByRole('region', { name: "This computer's server" });
    await expect(panel.getByText('Changes waiting to be sent')).toBeVisible();
    await panel.getByRole('button', { name: 'Test connection' }).click();
    await expect(panel.getByRole('status')).toContainText('Connected to the records server of');
  } },
  { state: 'Clinic settings on the hosting desk, other desks may join', routes: ['settings'], who: 'admin', hosting: true, open: async (page) => {
    await go(page, 'Clinic settings');
    const panel = page.getByRole('region', { name: "This computer's server" });
    await panel.getByRole('button', { name: 'Let other desks join' }).click();
    await expect(panel.getByText("This computer's certificate fingerprint (SHA-256)")).toBeVisible();
  } },
  { state: 'Portal server, mail going to a folder and a refused setting', routes: ['portal-server'], who: 'admin', hosting: true, title: 'Portal server – Clinic Console', open: async (page) => {
    await go(page, 'Portal server');
    await heading(page, 'Portal server');
    await expect(page.getByText('Outgoing mail is not set up')).toBeVisible();
    await page.getByLabel('Listen address').fill('0.0.0.0');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('alert')).toContainText('Refusing to listen');
  } },
  { state: 'Portal server, test email written to the folder', routes: ['portal-server'], who: 'admin', hosting: true, open: async (page) => {
    await go(page, 'Portal server');
    await page.getByLabel('Send a test email to').fill('alex@example-clinic.org');
    await page.getByRole('button', { name: 'Send test email' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Not emailed' })).toBeVisible();
  } },
  { state: 'Devices, filled', routes: ['devices'], who: 'admin', open: async (page) => {
    await go(page, 'Devices');
    await heading(page, 'Devices');
    await expect(page.getByRole('heading', { name: 'Trusted computers' })).toBeVisible();
  } },
  { state: 'Your sign-in, setting up an authenticator app', routes: ['my-sign-in'], who: 'physician', title: 'Your sign-in – Clinic Console', open: async (page) => {
    await go(page, 'Your sign-in');
    await heading(page, 'Your sign-in');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
    await page.getByRole('button', { name: 'Turn on second factor' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
  } },
  { state: 'Audit log, with rows', routes: ['audit'], who: 'admin', open: async (page) => {
    await go(page, 'Audit log');
    await heading(page, 'Audit log');
    await expect(page.getByRole('table').first()).toBeVisible();
  } },
  { state: 'Console locked', routes: [], who: 'admin', title: 'Console locked – Clinic Console', open: async (page) => {
    await page.getByRole('button', { name: 'Lock now' }).click();
    await heading(page, 'Console locked');
  } },
];
