import { PATIENT_ANSWERS } from '../../../../test/fixtures/patients';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import { AuditEventEntity, InvitationEntity, MailOutboxEntity, PatientEntity } from '../../../../shared/node/entities/server';
import { PasswordResetEntity } from '../../../../shared/node/entities/security';
import { requireClinic } from '../clinic/service';
import { notifyPasswordChanged, notifyPatient } from '../mail/notify';
import { readMails } from '../../../../test/fixtures/mail';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { SYNC_PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../../../shared/sync/protocol';
import { TEST_CLINIC, TestConsole, addStaff, api, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';

/** Patients without email (issue 17 item 1): pre-registered with a phone, invited by a printed letter. */
let portal: TestPortal;
let desk: TestConsole;
let deskToken: string;

beforeAll(async () => {
  portal = await startTestPortal();
  const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  deskToken = await addStaff(portal.url, admin.token, 'letterdesk', 'receptionist');
  desk = new TestConsole(portal.url, deskToken);
});
afterAll(async () => {
  await portal.stop();
});

async function printLetter(patientId: string, token = deskToken): Promise<{ status: number; pdf: Buffer; text: string; registrationId: string | null; invitationId: string | null }> {
  const res = await fetch(`${portal.url}/api/staff/patients/${patientId}/invitation-letter`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, [SYNC_PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION) },
  });
  const pdf = Buffer.from(await res.arrayBuffer());
  if (res.status !== 201) {
    return { status: res.status, pdf, text: '', registrationId: null, invitationId: null };
  }
  const text = execFileSync('pdftotext', ['-', '-'], { input: pdf, encoding: 'utf8' });
  const registrationId = /(?:Your Registration ID|Su ID de registro):\s*([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(text)?.[1] ?? null;
  return { status: res.status, pdf, text: text.replace(/\s+/g, ' '), registrationId, invitationId: res.headers.get('x-invitation-id') };
}

const registerById = (registrationId: string, dateOfBirth: string) =>
  api<ApiErrorResponse & { username: string }>(portal.url, '/api/registration/by-registration-id', {
    body: {
      username: `Robert${randomUUID().slice(0, 6)}`,
      ...PATIENT_ANSWERS,
      dateOfBirth,
      registrationId,
    },
  });

async function phoneOnlyPatient(): Promise<string> {
  const { patientId, response } = await desk.preRegister({ givenName: 'Robert', familyName: 'Chen', email: '', phone: '(555) 010-7788', dateOfBirth: '1975-09-30', invitationId: null });
  expect(response.outcomes[0]?.status).toBe('applied');
  return patientId;
}

describe('a patient without email', () => {
  it('is pre-registered with a phone number and no email, and no mail is queued', async () => {
    const before = (await readMails(portal.mailDir)).length;
    const patientId = await phoneOnlyPatient();
    const row = await portal.handle.context.db.read((m) => m.findOneByOrFail(PatientEntity, { id: patientId }));
    expect(row.email).toBe('');
    expect(row.phone).toBe('(555) 010-7788');
    await portal.handle.flushMail();
    expect((await readMails(portal.mailDir)).length).toBe(before);
  });

  it('needs an email or a phone: neither is refused with a clear error and nothing is written', async () => {
    const patientId = randomUUID();
    const res = await desk.push([desk.mutation('preRegisterPatient', { patientId, givenName: 'No', familyName: 'Contact', dateOfBirth: '1980-01-01', email: '', phone: '', invitationId: null })]);
    const outcome = res.body.outcomes[0];
    expect(outcome?.status).toBe('rejected');
    expect(JSON.stringify(outcome)).toContain('Enter an email address or a phone number.');
    expect(await portal.handle.context.db.read((m) => m.findOneBy(PatientEntity, { id: patientId }))).toBeNull();
  });

  it('cannot be emailed an invitation: pre-registering with one, or sending one, is refused', async () => {
    const patientId = randomUUID();
    const withInvite = await desk.push([desk.mutation('preRegisterPatient', { patientId, givenName: 'Mail', familyName: 'Less', dateOfBirth: '1980-01-01', email: '', phone: '555 0100', invitationId: randomUUID() })]);
    expect(withInvite.body.outcomes[0]?.status).toBe('rejected');
    expect(JSON.stringify(withInvite.body.outcomes[0])).toContain('Print an invitation letter instead.');
    expect(await portal.handle.context.db.read((m) => m.findOneBy(PatientEntity, { id: patientId }))).toBeNull();

    const existing = await phoneOnlyPatient();
    const send = await desk.push([desk.mutation('sendInvitation', { patientId: existing, invitationId: randomUUID() })]);
    expect(send.body.outcomes[0]?.status).toBe('rejected');
    expect(await portal.handle.context.db.read((m) => m.countBy(InvitationEntity, { patientId: existing }))).toBe(0);
  });

  it('gets a letter whose Registration ID, with the date of birth, registers; printing is audited', async () => {
    const patientId = await phoneOnlyPatient();
    const letter = await printLetter(patientId);
    expect(letter.status).toBe(201);
    expect(letter.registrationId).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    const audited = await portal.handle.context.db.read((m) => m.findBy(AuditEventEntity, { action: 'invitation.letter' }));
    expect(audited.some((a) => a.entityId === letter.invitationId)).toBe(true);
    expect((await registerById(letter.registrationId ?? '', '09/30/1975')).status).toBe(201);
  });

  it('once registered, is never queued a mail to no address: notices and password-change notices skip them', async () => {
    const patientId = await phoneOnlyPatient();
    const letter = await printLetter(patientId);
    expect((await registerById(letter.registrationId ?? '', '09/30/1975')).status).toBe(201);
    const ctx = portal.handle.context;
    await ctx.db.write(async (m) => {
      const clinic = await requireClinic(m);
      await notifyPatient({ ctx, m, clinic }, patientId, 'newMessage', { kind: 'thread', threadId: randomUUID() });
      await notifyPasswordChanged({ ctx, m, clinic }, patientId, { kind: 'patient', id: patientId, ip: null });
    });
    expect(await ctx.db.read((m) => m.countBy(MailOutboxEntity, { patientId }))).toBe(0);

    // The desk cannot email them a reset link either: a clear refusal, nothing written.
    const reset = await api<ApiErrorResponse>(portal.url, `/api/staff/patients/${patientId}/password-reset`, { method: 'POST', token: deskToken });
    expect(reset.status).toBe(409);
    expect(reset.body.error.message).toMatch(/no email address/);
    expect(await ctx.db.read((m) => m.countBy(PasswordResetEntity, {}))).toBe(0);
    expect(await ctx.db.read((m) => m.countBy(MailOutboxEntity, { patientId }))).toBe(0);
  });

  it('gets the letter in their language: Spanish for a patient the desk set to Spanish, and its ID registers', async () => {
    const patientId = await phoneOnlyPatient();
    // The desk's language choice at pre-registration is this column (its console field is another change).
    await portal.handle.context.db.write((m) => m.update(PatientEntity, { id: patientId }, { language: 'es' }));
    const letter = await printLetter(patientId);
    expect(letter.status).toBe(201);
    expect(letter.text).toContain('Su invitación al Portal del Paciente');
    expect(letter.text).toMatch(/Esta invitación vence el \d{1,2} de [a-z]+ de \d{4}\./);
    expect(letter.text).not.toContain('Your invitation to the Patient Portal');
    expect(letter.text).toContain(`Ayuda con el idioma: si necesita ayuda en otro idioma, llame a ${TEST_CLINIC.name} al ${TEST_CLINIC.phone}.`);
    expect(letter.text).toContain(`Language help: if you need help in another language, call ${TEST_CLINIC.name} at ${TEST_CLINIC.phone}.`);
    expect((await registerById(letter.registrationId ?? '', '09/30/1975')).status).toBe(201);
  });

  it('gets it in English when no language was chosen, with the notice in both languages', async () => {
    const letter = await printLetter(await phoneOnlyPatient());
    expect(letter.text).toContain('Your invitation to the Patient Portal');
    expect(letter.text).toContain(`Language help: if you need help in another language, call ${TEST_CLINIC.name} at ${TEST_CLINIC.phone}.`);
    expect(letter.text).toContain('Ayuda con el idioma:');
  });

  it('refuses a letter for an unknown patient and for a patient id that is not one', async () => {
    expect((await printLetter(randomUUID())).status).toBe(404);
    expect((await printLetter('not-a-uuid')).status).toBe(400);
    expect((await printLetter(randomUUID(), 'not-a-token')).status).toBe(401);
  });
});
