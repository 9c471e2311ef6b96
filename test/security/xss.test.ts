import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatientSessionView } from '../../shared/api/types';
import type { AppointmentView } from '../../shared/domain/appointment';
import type { ThreadView } from '../../shared/domain/message';
import type { RecordBundle } from '../../shared/domain/record';
import type { RenewalView } from '../../shared/domain/renewal';
import type { PullResponse } from '../../shared/sync/protocol';
import { readMails } from '../fixtures/mail';
import type { HostilePortal, PatientBrowser } from './helpers';
import { XSS_IMG, XSS_SCRIPT, register, registrationBody, signInPatient, startHostilePortal } from './helpers';

/**
 * Stored XSS at the API: markup typed into names, messages, reasons, notes and the record goes in
 * and comes out as the same characters, only ever as JSON data (never HTML), and never into mail.
 * test/e2e/security/stored-xss.spec.ts shows the portal and the console render it as plain text.
 */
let hp: HostilePortal;
let xss: PatientBrowser;
let xssPatientId: string;
let medicationId: string;

beforeAll(async () => {
  hp = await startHostilePortal();
  const inv = await hp.invite({ givenName: XSS_IMG, familyName: XSS_SCRIPT });
  xssPatientId = inv.patientId;
  const body = registrationBody(inv, { username: 'XssPatient1' });
  expect((await register(hp, body)).status).toBe(201);
  xss = await signInPatient(hp.url, 'XssPatient1', 'Password1');
  medicationId = randomUUID();
  const saved = await hp.physician.apply('saveRecordEntry', {
    kind: 'medication',
    entryId: medicationId,
    patientId: xssPatientId,
    fields: { name: XSS_IMG, dose: XSS_SCRIPT, instructions: XSS_IMG, prescriberName: XSS_SCRIPT, refillsLeft: 1, active: true },
    baseVersion: 0,
  });
  expect(saved.status).toBe('applied');
});
afterAll(async () => {
  await hp.stop();
});

const pulled = async (table: string, id: string): Promise<unknown> => {
  const res = await hp.receptionist.call<PullResponse>('/api/sync/pull?epoch=&seq=0&limit=1000');
  const changes = res.body.changes.filter((c) => c.table === table && c.op === 'upsert' && c.row.id === id);
  return changes.at(-1)?.op === 'upsert' ? (changes.at(-1) as { row: unknown }).row : null;
};

describe('markup goes in and comes out as the same characters, as JSON', () => {
  it("in a patient's name: the session view and the consoles' rows hold it verbatim", async () => {
    const session = await xss.get<PatientSessionView>('/api/session');
    expect(session.headers.get('content-type')).toMatch(/^application\/json/);
    expect(session.body.patient).toEqual({ givenName: XSS_IMG, familyName: XSS_SCRIPT });
    expect(await pulled('patient', xssPatientId)).toMatchObject({ givenName: XSS_IMG, familyName: XSS_SCRIPT });
  });

  it('in messages, appointment reasons and renewal notes a patient writes', async () => {
    const thread = await xss.send<ThreadView>('/api/messages', { subject: XSS_IMG, body: XSS_SCRIPT });
    const appointment = await xss.send<AppointmentView>('/api/appointments', { reason: XSS_IMG, preferredPhysicianId: null, preferredTimes: XSS_SCRIPT });
    const renewal = await xss.send<RenewalView>('/api/renewals', { medicationId, pharmacy: XSS_IMG, note: XSS_SCRIPT });
    for (const res of [thread, appointment, renewal]) {
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(thread.body).toMatchObject({ subject: XSS_IMG, messages: [expect.objectContaining({ body: XSS_SCRIPT, authorName: `${XSS_IMG} ${XSS_SCRIPT}` })] });
    expect(appointment.body).toMatchObject({ reason: XSS_IMG, preferredTimes: XSS_SCRIPT });
    expect(renewal.body).toMatchObject({ pharmacy: XSS_IMG, note: XSS_SCRIPT, medicationName: XSS_IMG });
    expect(await pulled('thread', thread.body.id)).toMatchObject({ subject: XSS_IMG });
    expect(await pulled('appointment', appointment.body.id)).toMatchObject({ reason: XSS_IMG, preferredTimes: XSS_SCRIPT });
    expect(await pulled('renewal', renewal.body.id)).toMatchObject({ pharmacy: XSS_IMG, note: XSS_SCRIPT });
  });

  it("in staff replies and the record, as the patient reads them — and the patient's mail carries none of it", async () => {
    const thread = await xss.send<ThreadView>('/api/messages', { subject: 'Question', body: 'Hello' });
    const replied = await hp.physician.apply('replyToThread', { threadId: thread.body.id, messageId: randomUUID(), body: XSS_IMG });
    expect(replied.status).toBe('applied');
    const read = await xss.send<ThreadView>(`/api/messages/${thread.body.id}/read`);
    expect(read.body.messages.map((m) => m.body)).toEqual(['Hello', XSS_IMG]);
    const record = await xss.send<RecordBundle>('/api/record/view');
    expect(record.body.medication.find((m) => m.id === medicationId)).toMatchObject({ name: XSS_IMG, dose: XSS_SCRIPT, instructions: XSS_IMG });
    await hp.portal.handle.flushMail();
    const mails = (await readMails(hp.portal.mailDir)).filter((m) => m.to.includes('invitee.'));
    expect(mails.length).toBeGreaterThan(0);
    for (const mail of mails) {
      for (const part of [mail.subject, mail.text, mail.html]) {
        expect(part).not.toContain('<img');
        expect(part).not.toContain('<script');
        expect(part).not.toContain('onerror');
      }
    }
  });
});
