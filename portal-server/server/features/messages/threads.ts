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

/** Marks every unread message written by `author` in the thread as read now; returns how many. */
export async function markMessagesRead(w: SyncedWriter, threadId: string, author: MessageRow['authorKind'], now: string): Promise<number> {
  const unread = await w.m.find(MessageEntity, { where: { threadId, authorKind: author, readAt: IsNull(), deletedAt: IsNull() } });
  for (const msg of unread) {
    // A read receipt is not an audited action; the reply it may be part of is audited on the thread.
    await updateSynced(w, 'message', msg, { readAt: now }, null);
  }
  return unread.length;
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
