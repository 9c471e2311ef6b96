import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainError } from '../../shared/api/errors';
import { MESSAGE_MAX_LENGTH } from '../../shared/domain/message';
import { ReplicaRowEntity } from '../replica/entities';
import { PATIENT_ID, argsOf, messageRow, outboxRows, pullInto, refuse, seedClinic, threadRow, upserts } from '../testRows';
import { TEST_PHYSICIAN, TEST_STAFF, signInOffline, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

let core: TestCore;
const NOW = new Date('2026-11-25T16:00:00.000Z');
const thread = threadRow({ lastMessageAt: '2026-11-24T10:00:00.000Z' });
const patientMessage = messageRow(thread.id, { sentAt: '2026-11-24T10:00:00.000Z', body: 'Should I   take it\nin the morning?' });
const closed = threadRow({ status: 'closed', unreadForStaff: 0, subject: 'Old question', lastMessageAt: '2026-10-01T10:00:00.000Z' });
const mine = threadRow({ assignedStaffId: TEST_STAFF.id, unreadForStaff: 0, subject: 'Routed to me', lastMessageAt: '2026-11-23T10:00:00.000Z' });

beforeEach(async () => {
  core = await startTestCore({ now: () => NOW });
  await signInOffline(core);
  await seedClinic(core);
  await pullInto(core, [...upserts('thread', [thread, closed, mine]), ...upserts('message', [patientMessage])]);
});
afterEach(async () => {
  await core.dispose();
});

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as DomainError);
const rows = () => core.db.read((m) => m.find(ReplicaRowEntity, { order: { tableName: 'ASC', id: 'ASC' } }));

describe('the inbox', () => {
  it('filters open, closed, mine and unassigned, newest activity first, with a one-line preview', async () => {
    const open = await core.services.messages.inbox('open');
    expect(open.map((i) => i.row.id)).toEqual([thread.id, mine.id]);
    expect(open[0]).toMatchObject({ patientName: 'Maria Lopez', lastMessagePreview: 'Should I take it in the morning?', assignedToName: null });
    expect(open[1]?.assignedToName).toBe('Dana Desk');
    expect((await core.services.messages.inbox('closed')).map((i) => i.row.id)).toEqual([closed.id]);
    expect((await core.services.messages.inbox('mine')).map((i) => i.row.id)).toEqual([mine.id]);
    expect((await core.services.messages.inbox('unassigned')).map((i) => i.row.id)).toEqual([thread.id]);
    expect(await core.services.overview.counts()).toMatchObject({ unreadThreads: 1 });
  });
});

describe('answering offline', () => {
  it('a reply appears in the thread at once, waiting to send', async () => {
    const detail = await core.services.messages.reply(thread.id, 'Yes, in the morning with food.');
    expect(detail.messages.map((m) => [m.authorKind, m.body, m.version, m.readAt])).toEqual([
      ['patient', patientMessage.body, 1, NOW.toISOString()],
      ['staff', 'Yes, in the morning with food.', 0, null],
    ]);
    expect(detail.messages[1]).toMatchObject({ authorStaffId: TEST_STAFF.id, authorName: 'Dana Desk', sentAt: NOW.toISOString() });
    // As the server will: replying reads the patient's messages.
    expect(detail.thread).toMatchObject({ pendingChanges: 1, lastMessagePreview: 'Yes, in the morning with food.', row: { lastMessageAt: NOW.toISOString(), unreadForPatient: 1, unreadForStaff: 0 } });
    expect(await core.services.overview.counts()).toMatchObject({ unreadThreads: 0 });
    const [entry] = await outboxRows(core);
    expect(argsOf(entry, 'replyToThread')).toEqual({ threadId: thread.id, messageId: detail.messages[1]?.id, body: 'Yes, in the morning with food.', seenThroughMessageId: patientMessage.id });
    expect(entry?.description).toBe('Reply to Maria Lopez: “Question about my dose”');
    // A receptionist's reply leaves the thread with the care team.
    expect(detail.thread.row.assignedStaffId).toBeNull();
  });

  it('a physician answering an unassigned thread takes it, as the server will', async () => {
    await signInOffline(core, undefined, TEST_PHYSICIAN);
    const detail = await core.services.messages.reply(thread.id, 'I will call you today.');
    expect(detail.thread).toMatchObject({ assignedToName: 'Dr. Sam Patel', row: { assignedStaffId: TEST_PHYSICIAN.id } });
    expect((await core.services.messages.inbox('mine')).map((i) => i.row.id)).toEqual([thread.id]);
  });

  it('starts a thread with a patient: the thread and its first message in one change', async () => {
    const detail = await core.services.messages.start({ patientId: PATIENT_ID, subject: 'Your lab results', body: 'Please call us.' });
    expect(detail.thread.row).toMatchObject({ subject: 'Your lab results', status: 'open', version: 0, assignedStaffId: TEST_STAFF.id });
    expect(detail.messages).toHaveLength(1);
    const [entry] = await outboxRows(core);
    expect(argsOf(entry, 'startThread')).toEqual({ threadId: detail.thread.row.id, messageId: detail.messages[0]?.id, patientId: PATIENT_ID, subject: 'Your lab results', body: 'Please call us.' });
    // Refused by the server: the thread and message were never there, so both go.
    await refuse(core, 1, 'No.');
    expect((await rows()).filter((r) => r.id === detail.thread.row.id || r.id === detail.messages[0]?.id)).toEqual([]);
  });

  it('routes to a physician; routing again before it is sent stays one change', async () => {
    await core.services.messages.assign(thread.id, TEST_STAFF.id);
    const detail = await core.services.messages.assign(thread.id, TEST_PHYSICIAN.id);
    expect(detail.thread).toMatchObject({ assignedToName: 'Dr. Sam Patel', pendingChanges: 1 });
    const entries = await outboxRows(core);
    expect(entries).toHaveLength(1);
    expect(argsOf(entries[0], 'assignThread')).toEqual({ threadId: thread.id, staffUserId: TEST_PHYSICIAN.id });
    expect(entries[0]?.description).toBe('Assign “Question about my dose” (Maria Lopez) to Dr. Sam Patel');
    // Assigning to whoever has it already sends nothing.
    await core.services.messages.assign(thread.id, TEST_PHYSICIAN.id);
    expect(await outboxRows(core)).toHaveLength(1);
  });

  it('closes and reopens; marks read only what is unread', async () => {
    expect((await core.services.messages.setStatus(thread.id, 'closed')).thread.row.status).toBe('closed');
    const read = await core.services.messages.markRead(thread.id);
    expect(read.messages[0]?.readAt).toBe(NOW.toISOString());
    expect(read.thread.row.unreadForStaff).toBe(0);
    await core.services.messages.markRead(thread.id);
    await core.services.messages.markRead(mine.id);
    expect((await outboxRows(core)).map((e) => e.name)).toEqual(['setThreadStatus', 'markThreadRead']);
    expect(await core.services.overview.counts()).toMatchObject({ unreadThreads: 0 });
    // A refused read mark brings the unread message back; the thread keeps its other waiting change until that one is settled.
    await refuse(core, 2, 'No.');
    expect((await core.services.messages.thread(thread.id)).messages[0]?.readAt).toBeNull();
    expect((await core.services.messages.thread(thread.id)).thread.row.status).toBe('closed');
    await refuse(core, 1, 'No.');
    expect((await core.services.messages.thread(thread.id)).thread.row).toMatchObject({ status: 'open', unreadForStaff: 1 });
    expect(await core.services.overview.counts()).toMatchObject({ unreadThreads: 1 });
  });
});

describe('what the desk saw', () => {
  const newer = messageRow(thread.id, { sentAt: '2026-11-25T15:59:00.000Z', body: 'Now my lips are swelling.' });
  beforeEach(async () => {
    await pullInto(core, [...upserts('thread', [{ ...thread, unreadForStaff: 2, lastMessageAt: newer.sentAt, version: 2 }]), ...upserts('message', [newer])]);
  });
  const readFlags = (detail: { messages: { id: string; readAt: string | null }[] }) => detail.messages.map((m) => [m.id, m.readAt !== null]);

  it('a read mark stops at the newest patient message the window showed: one pulled after it stays unread, here and on the server', async () => {
    const detail = await core.services.messages.markRead(thread.id, patientMessage.id);
    expect(readFlags(detail)).toEqual([
      [patientMessage.id, true],
      [newer.id, false],
    ]);
    expect(detail.thread.row.unreadForStaff).toBe(1);
    expect(await core.services.overview.counts()).toMatchObject({ unreadThreads: 1 });
    const [entry] = await outboxRows(core);
    expect(argsOf(entry, 'markThreadRead')).toEqual({ threadId: thread.id, seenThroughMessageId: patientMessage.id });
    // Shown later, the newer one is read too.
    expect((await core.services.messages.markRead(thread.id, newer.id)).thread.row.unreadForStaff).toBe(0);
    expect(argsOf((await outboxRows(core))[1], 'markThreadRead')).toEqual({ threadId: thread.id, seenThroughMessageId: newer.id });
  });

  it('a reply or a close says what was shown; an unknown message counts as none seen', async () => {
    const replied = await core.services.messages.reply(thread.id, 'Please stop the tablets.', patientMessage.id);
    expect(readFlags(replied).slice(0, 2)).toEqual([
      [patientMessage.id, true],
      [newer.id, false],
    ]);
    expect(replied.thread.row).toMatchObject({ unreadForStaff: 1, status: 'open' });
    await core.services.messages.setStatus(thread.id, 'closed', '99999999-9999-4999-8999-999999999999');
    const [reply, close] = await outboxRows(core);
    expect(argsOf(reply, 'replyToThread').seenThroughMessageId).toBe(patientMessage.id);
    expect(argsOf(close, 'setThreadStatus')).toEqual({ threadId: thread.id, status: 'closed', seenThroughMessageId: null });
  });

  it('without word from the window, everything in the replica when staff act counts as seen; a folded close takes the latest', async () => {
    await core.services.messages.setStatus(thread.id, 'closed', null);
    await core.services.messages.setStatus(thread.id, 'open');
    const entries = await outboxRows(core);
    expect(entries).toHaveLength(1);
    expect(argsOf(entries[0], 'setThreadStatus')).toEqual({ threadId: thread.id, status: 'open', seenThroughMessageId: newer.id });
    const read = await core.services.messages.markRead(thread.id);
    expect(readFlags(read)).toEqual([
      [patientMessage.id, true],
      [newer.id, true],
    ]);
  });
});

describe('refusals on this computer write nothing', () => {
  it('refuses empty, too long or non-plain-text messages and unknown colleagues', async () => {
    const before = await rows();
    expect(await failure(core.services.messages.reply(thread.id, '   '))).toMatchObject({ code: 'validation_failed', fields: { body: 'Enter your message.' } });
    expect((await failure(core.services.messages.reply(thread.id, 'x'.repeat(MESSAGE_MAX_LENGTH + 1))))?.fields?.body).toBe(`Keep it under ${MESSAGE_MAX_LENGTH} characters.`);
    expect((await failure(core.services.messages.reply(thread.id, 'bell\u0007')))?.fields?.body).toBe('Use plain text only.');
    expect(Object.keys((await failure(core.services.messages.start({ patientId: PATIENT_ID, subject: '', body: '' })))?.fields ?? {}).sort()).toEqual(['body', 'subject']);
    expect((await failure(core.services.messages.assign(thread.id, '99999999-9999-4999-8999-999999999999')))?.fields).toEqual({ staffUserId: 'Choose a colleague from the list.' });
    expect(await failure(core.services.messages.reply('99999999-9999-4999-8999-999999999999', 'Hello'))).toMatchObject({ code: 'not_found' });
    expect(await outboxRows(core)).toEqual([]);
    expect(await rows()).toEqual(before);
  });
});
