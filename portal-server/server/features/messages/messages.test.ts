import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import type { ThreadSummaryView, ThreadView } from '../../../../shared/domain/message';
import { MessageEntity, MessageThreadEntity } from '../../../../shared/node/entities/clinical';
import { readMails, waitForMail } from '../../../../test/fixtures/mail';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicWithTwoPatients, pulledRow } from '../../../../test/fixtures/patients';
import { listenPokes } from '../../../../test/fixtures/events';
import type { TestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let team: ClinicTeam;
let ann: PatientClient;
let bob: PatientClient;

beforeAll(async () => {
  ({ portal, team, ann, bob } = await clinicWithTwoPatients());
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
const counts = () => db().read(async (m) => [await m.count(MessageThreadEntity), await m.count(MessageEntity)]);
const thread = (id: string) => db().read((m) => m.findOneByOrFail(MessageThreadEntity, { id }));

async function start(patient: PatientClient, subject: string, body: string): Promise<ThreadView> {
  const res = await patient.post<ThreadView>('/api/messages', { subject, body });
  expect(res.status).toBe(201);
  return res.body;
}

describe('a conversation between a patient and the care team', () => {
  it('patient writes, the console sees an unread thread, the physician replies, the patient is mailed (no text) and reads it', async () => {
    const t = await start(ann, 'Dizziness question', 'I feel dizzy after the new tablets.');
    expect(t).toMatchObject({ subject: 'Dizziness question', status: 'open', unread: 0, messages: [{ mine: true, authorName: 'Ann Avery', body: 'I feel dizzy after the new tablets.', readAt: null }] });
    expect(await pulledRow(portal.url, team.doctor.console.token, 'thread', t.id)).toMatchObject({ patientId: ann.patientId, unreadForStaff: 1, unreadForPatient: 0, assignedStaffId: null });

    const mailsBefore = (await readMails(portal.mailDir)).filter((m) => m.to.includes(ann.email)).length;
    const reply = await team.doctor.apply('replyToThread', { threadId: t.id, messageId: randomUUID(), body: 'Please stop the tablets and call us today.' });
    expect(reply.status).toBe('applied');
    // Replying reads the patient's messages; the patient now has one unread.
    expect(await thread(t.id)).toMatchObject({ unreadForStaff: 0, unreadForPatient: 1, assignedStaffId: team.doctor.id });
    const list = await ann.get<ThreadSummaryView[]>('/api/messages');
    expect(list.body.find((x) => x.id === t.id)?.unread).toBe(1);

    await portal.handle.flushMail();
    const mail = await waitForMail(portal.mailDir, ann.email, { after: mailsBefore });
    expect(mail.text).toContain('You have a new message from your clinic — sign in to read it.');
    // The link opens the thread after sign-in: its opaque id only, in the text and on the button.
    expect(mail.text).toContain(`${portal.url}/messages/${t.id}`);
    expect(mail.html).toContain(`href="${portal.url}/messages/${t.id}"`);
    for (const phi of ['tablets', 'Dizziness', 'Patel', 'Ann']) {
      expect(mail.subject + mail.text + mail.html).not.toContain(phi);
    }

    const opened = await ann.post<ThreadView>(`/api/messages/${t.id}/read`);
    expect(opened.body.unread).toBe(0);
    expect(opened.body.messages.map((m) => [m.mine, m.authorName])).toEqual([
      [true, 'Ann Avery'],
      [false, 'Dr. Sam Patel'],
    ]);
    expect(opened.body.messages[0]?.readAt).not.toBeNull();
    expect(opened.body.messages[1]?.readAt).not.toBeNull();
    const synced = await pulledRow(portal.url, team.doctor.console.token, 'message', opened.body.messages[1]?.id ?? '');
    expect(synced?.readAt).not.toBeNull();
  });

  it('patient replies count as unread for staff until a console marks the thread read', async () => {
    const t = await start(ann, 'Lab question', 'When are results back?');
    const reply = await ann.post<ThreadView>(`/api/messages/${t.id}/replies`, { body: 'Also, do I need to fast?' });
    expect(reply.status).toBe(201);
    expect(reply.body.messages).toHaveLength(2);
    expect((await thread(t.id)).unreadForStaff).toBe(2);
    expect((await team.desk.apply('markThreadRead', { threadId: t.id })).status).toBe('applied');
    expect((await thread(t.id)).unreadForStaff).toBe(0);
    const seen = await ann.post<ThreadView>(`/api/messages/${t.id}/read`);
    expect(seen.body.messages.every((m) => m.readAt !== null)).toBe(true);
  });

  it('the desk assigns, closes and reopens; a patient reply reopens a closed thread', async () => {
    const t = await start(bob, 'Routing test', 'Hello');
    expect((await team.desk.apply('assignThread', { threadId: t.id, staffUserId: team.doctor.id })).status).toBe('applied');
    expect((await bob.get<ThreadSummaryView[]>('/api/messages')).body.find((x) => x.id === t.id)?.assignedToName).toBe('Dr. Sam Patel');
    expect((await team.desk.apply('assignThread', { threadId: t.id, staffUserId: randomUUID() })).error?.code).toBe('validation_failed');
    expect((await team.desk.apply('setThreadStatus', { threadId: t.id, status: 'closed' })).status).toBe('applied');
    expect((await thread(t.id)).status).toBe('closed');
    await bob.post(`/api/messages/${t.id}/replies`, { body: 'One more thing' });
    expect(await thread(t.id)).toMatchObject({ status: 'open', assignedStaffId: team.doctor.id });
  });

  it('staff can start a thread with a patient; the patient is mailed and sees it unread', async () => {
    const threadId = randomUUID();
    const before = (await readMails(portal.mailDir)).filter((m) => m.to.includes(bob.email)).length;
    expect((await team.desk.apply('startThread', { threadId, messageId: randomUUID(), patientId: bob.patientId, subject: 'Your forms', body: 'Please bring your insurance card.' })).status).toBe('applied');
    expect((await bob.get<ThreadSummaryView[]>('/api/messages')).body.find((x) => x.id === threadId)).toMatchObject({ unread: 1, assignedToName: 'Dana Desk' });
    await portal.handle.flushMail();
    const mail = await waitForMail(portal.mailDir, bob.email, { after: before });
    expect(mail.text).toContain(`${portal.url}/messages/${threadId}`);
    for (const phi of ['insurance', 'forms', 'Dana', 'Bob']) {
      expect(mail.subject + mail.text + mail.html).not.toContain(phi);
    }
  });
});

describe('live updates', () => {
  it('a patient writing pokes connected consoles over server-sent events', async () => {
    const stream = await listenPokes(portal.url, team.desk.console.token);
    try {
      await expect.poll(() => stream.pokes.length, { timeout: 10_000 }).toBeGreaterThan(0);
      const first = stream.head;
      await start(bob, 'Live', 'Are you there?');
      // The poke this message makes (a poke for something else may come first with the same head).
      await expect.poll(() => stream.head, { timeout: 10_000 }).toBeGreaterThan(first);
    } finally {
      stream.close();
    }
  });
});

describe('message text', () => {
  it('is stored and returned exactly as written, as JSON text — markup is never turned into HTML', async () => {
    const body = '<img src=x onerror=alert(1)> & <b>bold</b>\nsecond line';
    const t = await start(ann, '<script>alert(1)</script>', body);
    const res = await ann.post<ThreadView>(`/api/messages/${t.id}/read`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.subject).toBe('<script>alert(1)</script>');
    expect(res.body.messages[0]?.body).toBe(body);
  });

  it('refuses empty, too long and control-character text, writing nothing', async () => {
    const before = await counts();
    const empty = await ann.post<ApiErrorResponse>('/api/messages', { subject: ' ', body: '' });
    expect(Object.keys(empty.body.error.fields ?? {}).sort()).toEqual(['body', 'subject']);
    const long = await ann.post<ApiErrorResponse>('/api/messages', { subject: 'ok', body: 'x'.repeat(4001) });
    expect(long.body.error.fields?.body).toMatch(/under 4000/);
    const control = await ann.post<ApiErrorResponse>('/api/messages', { subject: 'ok', body: 'bell\u0007' });
    expect(control.body.error.fields?.body).toMatch(/plain text/);
    const staffLong = await team.doctor.apply('startThread', { threadId: randomUUID(), messageId: randomUUID(), patientId: ann.patientId, subject: 'ok', body: 'x'.repeat(4001) });
    expect(staffLong.error?.code).toBe('validation_failed');
    expect(await counts()).toEqual(before);
  });
});

describe('patients only ever reach their own conversations', () => {
  it('another patient can neither read nor reply to them by changing the id', async () => {
    const t = await start(ann, 'Private', 'Something private');
    const read = await bob.post<ApiErrorResponse>(`/api/messages/${t.id}/read`);
    expect(read.status).toBe(404);
    const before = await counts();
    const reply = await bob.post<ApiErrorResponse>(`/api/messages/${t.id}/replies`, { body: 'Intruding' });
    expect(reply.status).toBe(404);
    expect(await counts()).toEqual(before);
    expect((await bob.get<ThreadSummaryView[]>('/api/messages')).body.map((x) => x.id)).not.toContain(t.id);
    expect((await thread(t.id)).unreadForStaff).toBe(1);
  });
});
