/** What both sides of messaging share: adding a message, marking the other side's messages read, views. */
import type { EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import type { MessageView, ThreadSummaryView, ThreadView } from '../../../../shared/domain/message';
import { MessageEntity } from '../../../../shared/node/entities/clinical';
import type { MessageRow, MessageThreadRow } from '../../../../shared/node/entities/clinical';
import { staffNames } from '../appointments/views';
import { insertSynced, updateSynced } from '../sync/writeSynced';
import type { AuditNote, SyncedWriter } from '../sync/writeSynced';

export interface NewMessage {
  id: string;
  clinicId: string;
  authorKind: MessageRow['authorKind'];
  authorStaffId: string | null;
  authorName: string;
  body: string;
}

/** Inserts a message; the caller updates the thread's counters and audits the start or reply on the thread. */
export async function insertMessage(w: SyncedWriter, thread: MessageThreadRow, msg: NewMessage, now: string): Promise<void> {
  const row: MessageRow = {
    ...msg,
    threadId: thread.id,
    patientId: thread.patientId,
    sentAt: now,
    readAt: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  await insertSynced(w, 'message', row, null);
}

/**
 * How far a read mark reaches: every message (what the reader saw is not known), none, or the
 * messages sent up to one message, in (sentAt, id) order.
 */
export type ReadUpTo = 'all' | 'none' | Pick<MessageRow, 'sentAt' | 'id'>;

export function isWithin(msg: Pick<MessageRow, 'sentAt' | 'id'>, upTo: ReadUpTo): boolean {
  if (upTo === 'all' || upTo === 'none') {
    return upTo === 'all';
  }
  return msg.sentAt < upTo.sentAt || (msg.sentAt === upTo.sentAt && msg.id <= upTo.id);
}

/** The unread messages written by `author` in the thread, oldest first. */
export async function unreadMessages(m: EntityManager, threadId: string, author: MessageRow['authorKind']): Promise<MessageRow[]> {
  return m.find(MessageEntity, { where: { threadId, authorKind: author, readAt: IsNull(), deletedAt: IsNull() }, order: { sentAt: 'ASC', id: 'ASC' } });
}

/**
 * Marks the unread messages written by `author` in the thread, up to `upTo`, as read now; returns
 * how many it marked and how many are still unread after it.
 */
export async function markMessagesRead(w: SyncedWriter, threadId: string, author: MessageRow['authorKind'], now: string, upTo: ReadUpTo = 'all'): Promise<{ marked: number; stillUnread: number }> {
  const all = await unreadMessages(w.m, threadId, author);
  const unread = all.filter((msg) => isWithin(msg, upTo));
  for (const msg of unread) {
    // A read receipt is not an audited action; the reply it may be part of is audited on the thread.
    await updateSynced(w, 'message', msg, { readAt: now }, null);
  }
  return { marked: unread.length, stillUnread: all.length - unread.length };
}

export function updateThread(w: SyncedWriter, thread: MessageThreadRow, patch: Partial<MessageThreadRow>, note: AuditNote): Promise<MessageThreadRow> {
  return updateSynced(w, 'thread', thread, patch, note);
}

export function threadSummary(t: MessageThreadRow, names: Map<string, string>): ThreadSummaryView {
  return {
    id: t.id,
    subject: t.subject,
    status: t.status,
    lastMessageAt: t.lastMessageAt,
    unread: t.unreadForPatient,
    assignedToName: t.assignedStaffId ? (names.get(t.assignedStaffId) ?? null) : null,
  };
}

/** The thread as its patient sees it: "mine" marks the patient's own messages. */
export async function patientThreadView(m: EntityManager, thread: MessageThreadRow): Promise<ThreadView> {
  const messages = await m.find(MessageEntity, { where: { threadId: thread.id, deletedAt: IsNull() }, order: { sentAt: 'ASC' } });
  const names = await staffNames(m, [thread.assignedStaffId]);
  const views: MessageView[] = messages.map((msg) => ({
    id: msg.id,
    mine: msg.authorKind === 'patient',
    authorName: msg.authorName,
    body: msg.body,
    sentAt: msg.sentAt,
    readAt: msg.readAt,
  }));
  return { ...threadSummary(thread, names), messages: views };
}
