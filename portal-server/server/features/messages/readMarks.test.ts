/** Staff read marks and closing cover only what the desk had seen (seenThroughMessageId). */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadView } from '../../../../shared/domain/message';
import { MessageEntity, MessageThreadEntity } from '../../../../shared/node/entities/clinical';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicWithTwoPatients } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { UNSEEN_PATIENT_MESSAGE } from './staffService';

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

/** The thread and its messages as the server holds them, oldest first. */
const onServer = (threadId: string) =>
  portal.handle.context.db.read(async (m) => ({
    thread: await m.findOneByOrFail(MessageThreadEntity, { id: threadId }),
    messages: (await m.findBy(MessageEntity, { threadId })).sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.id.localeCompare(b.id)),
  }));
const readFlags = async (threadId: string) => (await onServer(threadId)).messages.map((m) => [m.body, m.readAt !== null]);

/** A thread with two patient messages; returns the ids of both, oldest first. */
async function twoPatientMessages(patient: PatientClient, subject: string): Promise<{ threadId: string; first: string; second: string }> {
  const started = await patient.post<ThreadView>('/api/messages', { subject, body: 'First' });
  expect(started.status).toBe(201);
  // Two messages in one millisecond would be ordered by id alone: let the clock move on first.
  const firstSentAt = started.body.messages[0]?.sentAt ?? '';
  await expect.poll(() => new Date().toISOString() > firstSentAt).toBe(true);
  const again = await patient.post<ThreadView>(`/api/messages/${started.body.id}/replies`, { body: 'Second' });
  expect(again.status).toBe(201);
  const [first, second] = again.body.messages.map((m) => m.id);
  return { threadId: started.body.id, first: first ?? '', second: second ?? '' };
}

describe('marking read', () => {
  it('marks read only the patient messages up to the one the desk had seen; the rest stay unread for staff', async () => {
    const { threadId, first } = await twoPatientMessages(ann, 'Read up to');
    expect((await team.desk.apply('markThreadRead', { threadId, seenThroughMessageId: first })).status).toBe('applied');
    expect(await readFlags(threadId)).toEqual([
      ['First', true],
      ['Second', false],
    ]);
    expect((await onServer(threadId)).thread.unreadForStaff).toBe(1);
  });

  it('a reply made having seen none of the patient’s messages reads none of them', async () => {
    const { threadId } = await twoPatientMessages(bob, 'Seen none');
    expect((await team.desk.apply('replyToThread', { threadId, messageId: randomUUID(), body: 'We will call you.', seenThroughMessageId: null })).status).toBe('applied');
    expect(await readFlags(threadId)).toEqual([
      ['First', false],
      ['Second', false],
      ['We will call you.', false],
    ]);
    expect((await onServer(threadId)).thread).toMatchObject({ unreadForStaff: 2, unreadForPatient: 1 });
  });

  it('an id that is not one of this thread’s patient messages counts as nothing seen', async () => {
    const other = await twoPatientMessages(ann, 'Other thread');
    const { threadId } = await twoPatientMessages(ann, 'Wrong id');
    expect((await team.desk.apply('markThreadRead', { threadId, seenThroughMessageId: other.second })).status).toBe('applied');
    expect((await team.desk.apply('markThreadRead', { threadId, seenThroughMessageId: randomUUID() })).status).toBe('applied');
    expect(await readFlags(threadId)).toEqual([
      ['First', false],
      ['Second', false],
    ]);
    expect((await onServer(threadId)).thread.unreadForStaff).toBe(2);
  });

  it('an intent without the field (a console queued before it) still reads everything, as before', async () => {
    const { threadId } = await twoPatientMessages(bob, 'Old console');
    expect((await team.desk.apply('replyToThread', { threadId, messageId: randomUUID(), body: 'Noted.' })).status).toBe('applied');
    expect((await onServer(threadId)).messages.filter((m) => m.authorKind === 'patient').every((m) => m.readAt !== null)).toBe(true);
    expect((await onServer(threadId)).thread.unreadForStaff).toBe(0);
  });

  it('refuses a seenThroughMessageId that is not an id, writing nothing', async () => {
    const { threadId } = await twoPatientMessages(ann, 'Bad id');
    const before = await onServer(threadId);
    for (const bad of ['', 'not-an-id', 42, { id: 'x' }]) {
      const outcome = await team.desk.apply('markThreadRead', { threadId, seenThroughMessageId: bad as unknown as string });
      expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'validation_failed' } });
    }
    expect(await onServer(threadId)).toEqual(before);
  });
});

describe('closing', () => {
  it('is refused over a patient message nobody at the clinic has read, sent after what the desk had seen; nothing is written', async () => {
    const { threadId, first } = await twoPatientMessages(bob, 'Close too early');
    const before = await onServer(threadId);
    const outcome = await team.desk.apply('setThreadStatus', { threadId, status: 'closed', seenThroughMessageId: first });
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'conflict', message: UNSEEN_PATIENT_MESSAGE } });
    expect(await onServer(threadId)).toEqual(before);
    // Having seen none, the same.
    expect((await team.desk.apply('setThreadStatus', { threadId, status: 'closed', seenThroughMessageId: null })).error?.code).toBe('conflict');
    expect((await onServer(threadId)).thread.status).toBe('open');
  });

  it('goes through once the desk has seen the newest message, or a colleague has read it', async () => {
    const seenAll = await twoPatientMessages(ann, 'Seen it all');
    expect((await team.desk.apply('setThreadStatus', { threadId: seenAll.threadId, status: 'closed', seenThroughMessageId: seenAll.second })).status).toBe('applied');
    expect((await onServer(seenAll.threadId)).thread.status).toBe('closed');

    const colleague = await twoPatientMessages(ann, 'A colleague read it');
    expect((await team.doctor.apply('markThreadRead', { threadId: colleague.threadId, seenThroughMessageId: colleague.second })).status).toBe('applied');
    expect((await team.desk.apply('setThreadStatus', { threadId: colleague.threadId, status: 'closed', seenThroughMessageId: colleague.first })).status).toBe('applied');
    expect((await onServer(colleague.threadId)).thread.status).toBe('closed');
  });

  it('without the field (a console queued before it) closes as before; reopening is never held back', async () => {
    const { threadId, first } = await twoPatientMessages(bob, 'Old close');
    expect((await team.desk.apply('setThreadStatus', { threadId, status: 'closed' })).status).toBe('applied');
    expect((await onServer(threadId)).thread.status).toBe('closed');
    expect((await team.desk.apply('setThreadStatus', { threadId, status: 'open', seenThroughMessageId: first })).status).toBe('applied');
    expect((await onServer(threadId)).thread.status).toBe('open');
  });
});
