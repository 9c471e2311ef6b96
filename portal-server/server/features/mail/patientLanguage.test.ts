import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatientEntity } from '../../../../shared/node/entities/server';
import { requireClinic } from '../clinic/service';
import type { DeliveredMail } from '../../../../test/fixtures/mail';
import { readMails, waitForMail } from '../../../../test/fixtures/mail';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicTeam, registerPatient, registrationBody, signInPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, api, startTestPortal } from '../../../../test/fixtures/portal';
import { notifyPatient } from './notify';

/**
 * Emails go out in the patient's language (issue 15 item 3): queued with the language of the
 * patient row (the desk's choice at pre-registration, or the patient's on Account; null: English),
 * delivered to .eml files and parsed back as a mail client would.
 */
let portal: TestPortal;
let team: ClinicTeam;

beforeAll(async () => {
  portal = await startTestPortal();
  team = await clinicTeam(portal);
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
const NOTICE_EN = `Language help: if you need help in another language, call ${TEST_CLINIC.name} at ${TEST_CLINIC.phone}.`;
const NOTICE_ES = `Ayuda con el idioma: si necesita ayuda en otro idioma, llame a ${TEST_CLINIC.name} al ${TEST_CLINIC.phone}.`;

/** Sends queued mail now and waits for the next one to `email`. */
async function nextMail(email: string, send: () => Promise<unknown>): Promise<DeliveredMail> {
  const before = (await readMails(portal.mailDir)).filter((m) => m.to.includes(email)).length;
  await send();
  await portal.handle.flushMail();
  return waitForMail(portal.mailDir, email, { after: before });
}

function expectSpanish(mail: DeliveredMail): void {
  expect(mail.html).toMatch(/^<!doctype html><html lang="es">/);
  expect(mail.text).toMatch(/^Hola:/);
  // The bilingual notice: Spanish first, then English, in both parts.
  expect(mail.text.trimEnd().endsWith(`${NOTICE_ES}\n${NOTICE_EN}`)).toBe(true);
  expect(mail.html).toContain(`<p lang="es" style="font-size:0.9em;color:#4a5560">${NOTICE_ES}</p>`);
  expect(mail.html).toContain(`<p lang="en" style="font-size:0.9em;color:#4a5560">${NOTICE_EN}</p>`);
  // Still no health information or name.
  expect(`${mail.subject}\n${mail.text}`).not.toMatch(/Maria|Lopez|Sofia|1986/);
}

const recoveryStart = (body: object) => api(portal.url, '/api/recovery/start', { body, headers: { 'x-forwarded-for': `203.0.113.${Math.floor(Math.random() * 200) + 1}` } });

describe('a Spanish-speaking patient', () => {
  let sofia: PatientClient;

  it('is invited in Spanish (the desk chose Spanish for her) and registers from that email', async () => {
    const email = `sofia.${randomUUID().slice(0, 8)}@example.com`;
    const desk = team.desk.console;
    const { patientId, response } = await desk.preRegister({ givenName: 'Sofia', familyName: 'Ramos', email, invitationId: null });
    expect(response.outcomes[0]?.status).toBe('applied');
    // The desk's language choice at pre-registration is this column (its console field is another
    // change); set here as that field will set it.
    await db().write((m) => m.update(PatientEntity, { id: patientId }, { language: 'es' }));
    const mail = await nextMail(email, () => desk.push([desk.mutation('sendInvitation', { patientId, invitationId: randomUUID() })]));

    expect(mail.subject).toBe(`${TEST_CLINIC.name} le invita a su Portal del Paciente`);
    expectSpanish(mail);
    expect(mail.text).toContain(`${TEST_CLINIC.name} le preinscribió en su Portal del Paciente`);
    expect(mail.text).toMatch(/Su ID de registro: [A-Z0-9]{4}-[A-Z0-9]{4}/);
    expect(mail.text).toMatch(/Esta invitación vence el \d{1,2} de [a-z]+ de \d{4}\./);
    expect(mail.html).toContain('>Continuar el registro</a>');

    // The Spanish email works like the English one: its link and Registration ID register her.
    const username = `Sofia${randomUUID().slice(0, 6)}`;
    const registered = await api(portal.url, '/api/registration', { body: registrationBody(mail, username) });
    expect(registered.status).toBe(201);
    sofia = await signInPatient(portal.url, username, 'Password1', patientId, email);
  });

  it('gets her notices in Spanish, still without any detail', async () => {
    const ctx = portal.handle.context;
    const mail = await nextMail(sofia.email, () =>
      ctx.db.write(async (m) => notifyPatient({ ctx, m, clinic: await requireClinic(m) }, sofia.patientId, 'newMessage', { kind: 'thread', threadId: randomUUID() })),
    );
    expect(mail.subject).toBe(`Mensaje nuevo de ${TEST_CLINIC.name}`);
    expectSpanish(mail);
    expect(mail.text).toContain('Tiene un mensaje nuevo de su clínica. Inicie sesión para leerlo.');
    expect(mail.text).toContain('Por su privacidad, este correo no incluye ningún detalle.');
    expect(mail.html).toContain('>Iniciar sesión</a>');
  });

  it('gets her recovery code in Spanish, the code readable in it', async () => {
    const mail = await nextMail(sofia.email, () => recoveryStart({ kind: 'password', username: sofia.username }));
    expect(mail.subject).toBe(`Su código del Portal del Paciente de ${TEST_CLINIC.name}`);
    expectSpanish(mail);
    expect(mail.text).toContain(`Alguien pidió restablecer su contraseña en el Portal del Paciente de ${TEST_CLINIC.name}.`);
    expect(mail.text).toMatch(/Su código de un solo uso es \d{6}\n/);
    expect(mail.code).toMatch(/^\d{6}$/);
  });

  it('gets a front-desk password reset link in Spanish', async () => {
    const mail = await nextMail(sofia.email, () => api(portal.url, `/api/staff/patients/${sofia.patientId}/password-reset`, { method: 'POST', token: team.desk.console.token }));
    expect(mail.subject).toBe(`Cree una contraseña nueva para su Portal del Paciente de ${TEST_CLINIC.name}`);
    expectSpanish(mail);
    expect(mail.html).toContain('>Crear una contraseña nueva</a>');
  });
});

describe('a Spanish-speaking patient changing her email address', () => {
  it('gets the confirmation code at the new address in Spanish, and the old address is told in Spanish', async () => {
    const pat = await registerPatient(portal, team.desk.console, { givenName: 'Lucia', familyName: 'Vega' });
    expect((await pat.put('/api/account/language', { language: 'es' })).status).toBe(204);
    const next = `lucia.new.${randomUUID().slice(0, 8)}@example.com`;
    const code = await nextMail(next, () => pat.post('/api/account/email', { email: next, currentPassword: 'Password1' }));
    expect(code.subject).toBe(`Confirme su nuevo correo electrónico para el Portal del Paciente de ${TEST_CLINIC.name}`);
    expectSpanish(code);
    expect(code.text).toContain('Escriba el código en la página Cuenta.');
    const told = await nextMail(pat.email, () => pat.post('/api/account/email/confirm', { code: code.code }));
    expect(told.subject).toBe(`Se cambió el correo electrónico de su cuenta del Portal del Paciente de ${TEST_CLINIC.name}`);
    expectSpanish(told);
  });
});

describe('a patient who chose no language', () => {
  it('gets English mails, unchanged but for the bilingual notice, until they choose Spanish on Account', async () => {
    const ann = await registerPatient(portal, team.desk.console, { givenName: 'Ann', familyName: 'Avery' });
    expect((await db().read((m) => m.findOneByOrFail(PatientEntity, { id: ann.patientId }))).language ?? null).toBeNull();
    const english = await nextMail(ann.email, () => recoveryStart({ kind: 'password', username: ann.username }));
    expect(english.subject).toBe(`Your ${TEST_CLINIC.name} Patient Portal code`);
    expect(english.html).toMatch(/^<!doctype html><html lang="en">/);
    expect(english.text).toMatch(/^Hello,\n\nSomeone asked to reset your password for the .* Patient Portal\.\n\nYour one-time code is \d{6}\n/);
    expect(english.text.trimEnd().endsWith(`Questions? Call ${TEST_CLINIC.name} at ${TEST_CLINIC.phone}.\n\n${NOTICE_EN}\n${NOTICE_ES}`)).toBe(true);

    expect((await ann.put('/api/account/language', { language: 'es' })).status).toBe(204);
    const spanish = await nextMail(ann.email, () => recoveryStart({ kind: 'username', email: ann.email, dateOfBirth: '04/12/1986' }));
    expect(spanish.subject).toBe(`Su código del Portal del Paciente de ${TEST_CLINIC.name}`);
    expect(spanish.text).toContain('Alguien pidió encontrar su nombre de usuario');
    expectSpanish(spanish);
  });
});
