import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import en from '../../../portal-server/web/src/locales/en.json';
import es from '../../../portal-server/web/src/locales/es.json';
import { waitForMail } from '../../fixtures/mail';
import type { RealPortal } from './realPatients';
import { startRealPortal } from './realPatients';

/**
 * The portal in Spanish (issue 15), against a real portal server: a Spanish-speaking browser gets
 * Spanish from its Accept-Language, Maria registers from her email with the Spanish form, the
 * switch keeps what was typed, a patient's saved choice wins over the browser, and every page a
 * signed-in patient opens is in Spanish with no sentence of the English message file left on it.
 */
let real: RealPortal;

test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});

type Messages = { [key: string]: string | Messages };
function values(messages: Messages): string[] {
  return Object.values(messages).flatMap((v) => (typeof v === 'string' ? [v] : values(v)));
}
/** English sentences that differ from their Spanish: none may show on a Spanish page. */
const spanishValues = new Set(values(es as Messages));
const ENGLISH_ONLY = values(en as Messages).filter((text) => text.length > 12 && !text.includes('{') && !text.includes('|') && !spanishValues.has(text));

async function expectNoEnglish(page: Page): Promise<void> {
  // Everything on the page but what is marked as another language on purpose (the "English"
  // button, the footer's English language-help line).
  const text = await page.locator('body').evaluate((body) => {
    const copy = body.cloneNode(true) as typeof body;
    copy.querySelectorAll('[lang]:not([lang="es"])').forEach((el: { remove(): void }) => el.remove());
    return copy.textContent ?? '';
  });
  expect(ENGLISH_ONLY.filter((sentence) => text.includes(sentence))).toEqual([]);
}

test.describe('a Spanish-speaking browser', () => {
  test.use({ locale: 'es-MX' });

  test('Maria registers from her email with the Spanish form and signs in', async ({ page }) => {
    const { desk } = real.team;
    const email = `maria.es.${Date.now()}@example.com`;
    // The desk chose Spanish at pre-registration: the invitation email is in Spanish too.
    await desk.console.preRegister({ email, givenName: 'Maria', familyName: 'Lopez', dateOfBirth: '1986-04-12', language: 'es' });
    await real.portal.handle.flushMail();
    const mail = await waitForMail(real.portal.mailDir, email);
    expect(mail.subject).toMatch(/le invita a su Portal del Paciente$/);
    await page.goto(mail.link ?? '');

    await expect(page.getByRole('heading', { level: 1, name: 'Completar el registro' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'es');
    await expect(page.getByText('La fecha de nacimiento va en este formato: mm/dd/aaaa')).toBeVisible();
    await expect(page.getByText('Mínimo 8 caracteres, con 1 número y 1 letra mayúscula (ej.: Password1)')).toBeVisible();

    // Sent empty: every rule answers in Spanish, never with a field's code name.
    await page.getByRole('button', { name: 'Registrarse' }).click();
    await expect(page.getByLabel('Nombre de usuario')).toHaveAccessibleDescription('Escriba un nombre de usuario.');
    await expect(page.getByLabel('Verificación de la cuenta 1: Escriba su fecha de nacimiento')).toHaveAccessibleDescription(/Escriba su fecha de nacimiento\.$/);
    await expect(page.getByRole('status').filter({ hasText: 'Corrija estos 9 datos antes de enviar:' })).toBeVisible();
    await expectNoEnglish(page);

    await page.getByLabel('Nombre de usuario').fill('MariaEs1986');
    await page.getByLabel('Contraseña', { exact: true }).fill('Password1');
    await page.getByLabel('Vuelva a escribir la contraseña').fill('Password1');
    await page.getByRole('combobox', { name: 'Pregunta de seguridad 1' }).selectOption({ label: '¿Cómo se llamaba su primera mascota?' });
    await page.getByLabel('Respuesta a la pregunta de seguridad 1').fill('Rex');
    await page.getByRole('combobox', { name: 'Pregunta de seguridad 2' }).selectOption({ label: '¿En qué ciudad nació?' });
    await page.getByLabel('Respuesta a la pregunta de seguridad 2').fill('Springfield');
    await page.getByLabel('Verificación de la cuenta 1: Escriba su fecha de nacimiento').fill('04/12/1986');
    await page.getByLabel('Verificación de la cuenta 2: Escriba el ID de registro').fill(mail.registrationId ?? '');
    await page.getByRole('button', { name: 'Registrarse' }).click();

    const dialog = page.getByRole('dialog', { name: 'Registro completado' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Inicie sesión con su nombre de usuario MariaEs1986');
    await dialog.getByRole('button', { name: 'Continuar a Iniciar sesión' }).click();

    await expect(page.getByRole('heading', { level: 1, name: 'Iniciar sesión' })).toBeVisible();
    // A wrong password: the server's answer, said in Spanish.
    await page.getByLabel('Contraseña').fill('Wrong1234');
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await expect(page.getByRole('alert')).toContainText('El nombre de usuario o la contraseña no son correctos.');
    await page.getByLabel('Contraseña').fill('Password1');
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Bienvenido/a, Maria' })).toBeVisible();
    await expectNoEnglish(page);
  });
});

test('the switch changes the words and keeps what was typed; the html lang follows', async ({ page }) => {
  await page.goto(`${real.portal.url}/sign-in`);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByLabel('Username').fill('someone.typed.this');
  await page.getByLabel('Password').fill('half a password');
  const switcher = page.getByRole('group', { name: /Language/ });
  await switcher.getByRole('button', { name: 'Español' }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Iniciar sesión' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expect(page.getByLabel('Nombre de usuario')).toHaveValue('someone.typed.this');
  await expect(page.getByLabel('Contraseña')).toHaveValue('half a password');
  await expect(switcher.getByRole('button', { name: 'Español' })).toHaveAttribute('aria-pressed', 'true');

  // The language-help notice is on every page in both languages, whichever is chosen.
  const footer = page.getByRole('contentinfo');
  await expect(footer.locator('p[lang="en"]')).toContainText('Language help: if you need help in another language, call');
  await expect(footer.locator('p[lang="es"]')).toContainText('Ayuda con el idioma: si necesita ayuda en otro idioma, llame a');

  // The choice is remembered in this browser: the next page opens in Spanish.
  await page.goto(`${real.portal.url}/recover/password`);
  await expect(page.getByRole('heading', { level: 1, name: '¿Olvidó su contraseña?' })).toBeVisible();
  await switcher.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Forgot Your Password' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

test('a patient who chose Spanish sees every page in Spanish, even in an English browser', async ({ page }) => {
  const patient = await real.newPatient('Lucia');
  // Chosen with the switch while signed in: saved on the server for the patient.
  await page.goto(`${real.portal.url}/sign-in`);
  await page.getByLabel('Username').fill(patient.username);
  await page.getByLabel('Password').fill('Password1');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Welcome, Lucia/ })).toBeVisible();
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/account/language') && r.request().method() === 'PUT');
  await page.getByRole('group', { name: /Language/ }).getByRole('button', { name: 'Español' }).click();
  expect((await saved).status()).toBe(204);

  // A new browser on another computer (English, nothing remembered): the patient's choice wins at sign-in.
  const other = await page.context().browser()?.newContext({ locale: 'en-US' });
  if (!other) {
    throw new Error('no browser');
  }
  const fresh = await other.newPage();
  try {
    await fresh.goto(`${real.portal.url}/sign-in`);
    await expect(fresh.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
    await fresh.getByLabel('Username').fill(patient.username);
    await fresh.getByLabel('Password').fill('Password1');
    await fresh.getByRole('button', { name: 'Sign In' }).click();
    await expect(fresh.getByRole('heading', { level: 1, name: 'Bienvenido/a, Lucia' })).toBeVisible();
    await expect(fresh.locator('html')).toHaveAttribute('lang', 'es');

    const pages: [string, string][] = [
      ['/', 'Bienvenido/a, Lucia'],
      ['/record', 'Expediente médico'],
      ['/appointments', 'Citas'],
      ['/renewals', 'Renovación de recetas'],
      ['/messages', 'Mensajes'],
      ['/account', 'Cuenta'],
    ];
    for (const [path, heading] of pages) {
      await fresh.goto(`${real.portal.url}${path}`);
      await expect(fresh.getByRole('heading', { level: 1, name: heading })).toBeVisible();
      // Wait for the page's content (not its loading line) before reading it.
      await expect(fresh.getByRole('status').filter({ hasText: /^Cargando/ })).toHaveCount(0);
      await expect(fresh.getByRole('navigation', { name: 'Principal' })).toBeVisible();
      await expectNoEnglish(fresh);
      expect(await fresh.title()).toMatch(new RegExp(`^${heading === 'Bienvenido/a, Lucia' ? 'Inicio' : heading} — `));
    }

    // A form's own checks and the server's answers are Spanish too.
    await fresh.goto(`${real.portal.url}/messages`);
    await fresh.getByRole('button', { name: 'Enviar mensaje' }).click();
    await expect(fresh.getByText('Escriba un asunto.')).toBeVisible();
    await fresh.getByLabel('Asunto').fill('Pregunta');
    await fresh.getByLabel('Mensaje', { exact: true }).fill('¿Puedo tomar la medicina con comida?');
    await fresh.getByRole('button', { name: 'Enviar mensaje' }).click();
    await expect(fresh.getByText('Su mensaje se envió a su equipo de atención.')).toBeVisible();
    await fresh.getByRole('link', { name: 'Pregunta' }).click();
    await expect(fresh.getByRole('heading', { level: 1, name: 'Pregunta' })).toBeVisible();
    await expect(fresh.getByText('Todavía no se ha leído')).toBeVisible();
    await expectNoEnglish(fresh);
  } finally {
    await other.close();
  }
});
