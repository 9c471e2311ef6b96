import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../shared/api/errors';
import { mayReplyToPatients, replyRefusal } from '../../shared/domain/clinic';
import type { ClinicView } from '../../shared/domain/clinic';
import type { MessageRecord, ThreadRecord, ThreadStatus } from '../../shared/domain/message';
import type { StaffUserView } from '../../shared/domain/staff';
import { THREAD_STATUSES } from '../../shared/domain/message';
import type { ThreadDetail, ThreadListItem } from '../../shared/ipc/contract';
import type { MutationArgs, MutationName } from '../../shared/sync/protocol';
import { newThreadSchema, replySchema } from '../../shared/validation/requests';
import { validateOrThrow } from '../../shared/validation/validate';
import { patientName } from '../replica/records';
import { findStored, listStored, queryRows, rowKey, writeLocal } from '../replica/replicaRows';
import type { RowKey, Stored } from '../replica/replicaRows';
import type { ReplicaDeps } from './deps';
import { foldableOn, nameOfPatient, requirePatientRow, withPatient } from './rowSupport';
import { staffById } from '../replica/replicaRows';

export type InboxFilter = 'open' | 'closed' | 'mine' | 'unassigned';
const INBOX_FILTERS: readonly InboxFilter[] = ['open', 'closed', 'mine', 'unassigned'];
const PREVIEW_LENGTH = 120;

/** Patient conversations: the inbox, replies, routing to a colleague, closing, and read marks. */
export class MessageService {
  constructor(private readonly deps: ReplicaDeps) {}

  /** Threads newest activity first. 'mine' and 'unassigned' show open threads only. */
  async inbox(filter: InboxFilter): Promise<ThreadListItem[]> {
    if (!INBOX_FILTERS.includes(filter)) {
      throw new DomainError('validation_failed', 'Choose which conversations to show.');
    }
    const { staff } = await this.deps.session.requireSignedIn();
    return this.deps.db.read(async (m) => {
      const qb = queryRows(m, 'thread')
        .andWhere("json_extract(r.data, '$.status') = :status", { status: filter === 'closed' ? 'closed' : 'open' })
        .orderBy("json_extract(r.data, '$.lastMessageAt')", 'DESC');
      if (filter === 'mine') {
        qb.andWhere("json_extract(r.data, '$.assignedStaffId') = :me", { me: staff.id });
      } else if (filter === 'unassigned') {
        qb.andWhere("json_extract(r.data, '$.assignedStaffId') IS NULL");
      }
      return this.items(m, await listStored<'thread'>(qb));
    });
  }

  async thread(threadId: string): Promise<ThreadDetail> {
    await this.deps.session.requireSignedIn();
    return this.deps.db.read((m) => this.detail(m, threadId));
  }

  /** A new conversation from the clinic to a patient; it shows in the inbox at once. */
  async start(args: { patientId: string; subject: string; body: string }): Promise<ThreadDetail> {
    const { staff } = await this.requireMayReply();
    const { subject, body } = validateOrThrow(newThreadSchema, args);
    const now = this.deps.now().toISOString();
    const threadId = randomUUID();
    const messageId = randomUUID();
    return this.change(threadId, async (m) => {
      const patient = await requirePatientRow(m, args.patientId);
      const thread: ThreadRecord = {
        id: threadId,
        patientId: patient.id,
        subject,
        // The server routes a thread the clinic starts to whoever started it.
        assignedStaffId: staff.id,
        status: 'open',
        lastMessageAt: now,
        unreadForStaff: 0,
        unreadForPatient: 1,
        createdAt: now,
        version: 0,
        updatedAt: now,
      };
      await writeLocal(m, 'thread', thread, null);
      await writeLocal(m, 'message', this.message(messageId, thread, staff, body, now), null);
      const description = `Message ${patientName(patient)}: “${subject}”`;
      return { name: 'startThread', args: { threadId, messageId, patientId: patient.id, subject, body }, description, rows: [rowKey('thread', threadId), rowKey('message', messageId)] };
    });
  }

  /**
   * The reply shows in the thread at once, waiting to send. As on the server, replying reads the
   * patient's messages the desk has seen and opens a closed thread again; a physician answering an
   * unassigned thread takes it. `shownThrough`: see `seenOf`.
   */
  async reply(threadId: string, text: string, shownThrough?: string | null): Promise<ThreadDetail> {
    const { staff } = await this.requireMayReply();
    const { body } = validateOrThrow(replySchema, { body: text });
    const now = this.deps.now().toISOString();
    const messageId = randomUUID();
    return this.change(threadId, async (m) => {
      const current = await this.requireThread(m, threadId);
      const seenThroughMessageId = await this.seenOf(m, threadId, shownThrough);
      const { read, stillUnread } = await this.readPatientMessages(m, threadId, seenThroughMessageId, now);
      await writeLocal(m, 'message', this.message(messageId, current.record, staff, body, now), null);
      const assignedStaffId = current.record.assignedStaffId ?? (staff.role === 'physician' ? staff.id : null);
      const thread = { ...current.record, assignedStaffId, lastMessageAt: now, unreadForPatient: current.record.unreadForPatient + 1, unreadForStaff: stillUnread, status: 'open' as const, updatedAt: now };
      await writeLocal(m, 'thread', thread, current.row);
      const description = `Reply to ${await nameOfPatient(m, current.record.patientId)}: “${current.record.subject}”`;
      return { name: 'replyToThread', args: { threadId, messageId, body, seenThroughMessageId }, description, rows: [rowKey('message', messageId), rowKey('thread', threadId), ...read] };
    });
  }

  /** The clinic's setting, as the server will judge it: a refused reply is better never queued. */
  private async requireMayReply(): Promise<{ staff: StaffUserView; clinic: ClinicView }> {
    const signedIn = await this.deps.session.requireSignedIn();
    if (!mayReplyToPatients(signedIn.clinic, signedIn.staff.role)) {
      throw new DomainError('forbidden', replyRefusal(signedIn.clinic));
    }
    return signedIn;
  }

  /** Routes the thread to a colleague (null: back to the care team's inbox). */
  async assign(threadId: string, staffUserId: string | null): Promise<ThreadDetail> {
    await this.deps.session.requireSignedIn();
    const now = this.deps.now().toISOString();
    return this.change(threadId, async (m) => {
      const current = await this.requireThread(m, threadId);
      const assignee = staffUserId === null ? null : (await staffById(m)).get(staffUserId);
      if (assignee === undefined || (assignee && !assignee.active)) {
        throw new DomainError('validation_failed', 'Some fields need attention.', { staffUserId: 'Choose a colleague from the list.' });
      }
      if (current.record.assignedStaffId === staffUserId) {
        return null;
      }
      await writeLocal(m, 'thread', { ...current.record, assignedStaffId: staffUserId, updatedAt: now }, current.row);
      const who = await nameOfPatient(m, current.record.patientId);
      const description = assignee ? `Assign “${current.record.subject}” (${who}) to ${assignee.displayName}` : `Return “${current.record.subject}” (${who}) to the care team`;
      return this.foldOrAppend(m, threadId, 'assignThread', { threadId, staffUserId }, description);
    });
  }

  /**
   * Closing says what the desk had seen: the server refuses to close over a patient message sent
   * after it that nobody at the clinic has read. `shownThrough`: see `seenOf`.
   */
  async setStatus(threadId: string, status: ThreadStatus, shownThrough?: string | null): Promise<ThreadDetail> {
    if (!THREAD_STATUSES.includes(status)) {
      throw new DomainError('validation_failed', 'Choose open or closed.');
    }
    await this.deps.session.requireSignedIn();
    const now = this.deps.now().toISOString();
    return this.change(threadId, async (m) => {
      const current = await this.requireThread(m, threadId);
      if (current.record.status === status) {
        return null;
      }
      await writeLocal(m, 'thread', { ...current.record, status, updatedAt: now }, current.row);
      const verb = status === 'closed' ? 'Close' : 'Reopen';
      const description = `${verb} the conversation “${current.record.subject}” with ${await nameOfPatient(m, current.record.patientId)}`;
      // A fold takes what the desk has seen now, when it acted last.
      const seenThroughMessageId = await this.seenOf(m, threadId, shownThrough);
      return this.foldOrAppend(m, threadId, 'setThreadStatus', { threadId, status, seenThroughMessageId }, description);
    });
  }

  /**
   * Marks the patient's messages the desk has seen read by the clinic; nothing is sent when nothing
   * was unread. `shownThrough`: see `seenOf`.
   */
  async markRead(threadId: string, shownThrough?: string | null): Promise<ThreadDetail> {
    await this.deps.session.requireSignedIn();
    const now = this.deps.now().toISOString();
    return this.change(threadId, async (m) => {
      const current = await this.requireThread(m, threadId);
      const seenThroughMessageId = await this.seenOf(m, threadId, shownThrough);
      const { read, stillUnread } = await this.readPatientMessages(m, threadId, seenThroughMessageId, now);
      if (read.length === 0 && current.record.unreadForStaff === stillUnread) {
        return null;
      }
      await writeLocal(m, 'thread', { ...current.record, unreadForStaff: stillUnread }, current.row);
      const description = `Mark messages from ${await nameOfPatient(m, current.record.patientId)} read`;
      return { name: 'markThreadRead', args: { threadId, seenThroughMessageId }, description, rows: [rowKey('thread', threadId), ...read] };
    });
  }

  /**
   * The newest patient message the desk has seen in the thread (null: none), read inside the write
   * that acts on it. `shownThrough` is the newest patient message the screen showed, when the window
   * says so: a message pulled after that is not counted as seen. An id that is not one of this
   * thread's patient messages here proves nothing was seen. Without it, all the replica holds counts.
   */
  private async seenOf(m: EntityManager, threadId: string, shownThrough: string | null | undefined): Promise<string | null> {
    const fromPatient = (await this.messages(m, threadId)).filter((s) => s.record.authorKind === 'patient');
    if (shownThrough === undefined) {
      return fromPatient.at(-1)?.record.id ?? null;
    }
    return fromPatient.some((s) => s.record.id === shownThrough) ? shownThrough : null;
  }

  /**
   * Marks read here the patient's unread messages up to `seenThrough` (in the order the thread
   * lists them, as the server counts); returns their keys and how many stay unread.
   */
  private async readPatientMessages(m: EntityManager, threadId: string, seenThrough: string | null, now: string): Promise<{ read: RowKey[]; stillUnread: number }> {
    const fromPatient = (await this.messages(m, threadId)).filter((s) => s.record.authorKind === 'patient');
    const seen = fromPatient.slice(0, fromPatient.findIndex((s) => s.record.id === seenThrough) + 1);
    const unread = seen.filter((s) => s.record.readAt === null);
    for (const s of unread) {
      await writeLocal(m, 'message', { ...s.record, readAt: now }, s.row);
    }
    const stillUnread = fromPatient.slice(seen.length).filter((s) => s.record.readAt === null).length;
    return { read: unread.map((s) => rowKey('message', s.record.id)), stillUnread };
  }

  private message(id: string, thread: ThreadRecord, staff: { id: string; displayName: string }, body: string, now: string): MessageRecord {
    return { id, threadId: thread.id, patientId: thread.patientId, authorKind: 'staff', authorStaffId: staff.id, authorName: staff.displayName, body, sentAt: now, readAt: null, version: 0, updatedAt: now };
  }

  /** Folds into a pending change of the same kind on the thread, else returns a new entry to append. */
  private async foldOrAppend<N extends 'assignThread' | 'setThreadStatus'>(m: EntityManager, threadId: string, name: N, args: MutationArgs[N], description: string): Promise<NewEntry | 'folded'> {
    const pending = await foldableOn(m, this.deps, rowKey('thread', threadId), name);
    if (pending) {
      await this.deps.outbox.rewrite(m, pending.seq, args, { description });
      return 'folded';
    }
    return { name, args, description, rows: [rowKey('thread', threadId)] } as NewEntry;
  }

  /**
   * One write: the local rows and, when `write` returns a new entry, its outbox mutation; then the
   * thread as the console shows it. 'folded' = rows and a waiting entry changed; null = nothing to do.
   */
  private async change(threadId: string, write: (m: EntityManager) => Promise<NewEntry | 'folded' | null>): Promise<ThreadDetail> {
    const { staff } = await this.deps.session.requireSignedIn();
    const now = this.deps.now();
    const { detail, changed } = await this.deps.db.write(async (m) => {
      const entry = await write(m);
      if (entry !== null && entry !== 'folded') {
        const thread = await this.requireThread(m, threadId);
        await this.deps.outbox.append<MutationName>(m, { ...entry, staffUserId: staff.id, patientId: thread.record.patientId, invitationId: null, now });
      }
      return { detail: await this.detail(m, threadId), changed: entry !== null };
    });
    if (changed) {
      this.deps.onLocalWrite(['thread', 'message']);
    }
    return detail;
  }

  private async requireThread(m: EntityManager, threadId: string): Promise<Stored<'thread'>> {
    const thread = await findStored(m, 'thread', threadId);
    if (!thread) {
      throw new DomainError('not_found', 'That conversation is not on this computer. Reload the inbox.');
    }
    return thread;
  }

  private async messages(m: EntityManager, threadId: string): Promise<Stored<'message'>[]> {
    const rows = await listStored<'message'>(queryRows(m, 'message').andWhere('r.parentId = :threadId', { threadId }));
    return rows.sort((a, b) => a.record.sentAt.localeCompare(b.record.sentAt) || a.record.id.localeCompare(b.record.id));
  }

  private async detail(m: EntityManager, threadId: string): Promise<ThreadDetail> {
    const [thread] = await this.items(m, [await this.requireThread(m, threadId)]);
    return { thread: thread as ThreadListItem, messages: (await this.messages(m, threadId)).map((s) => s.record) };
  }

  private async items(m: EntityManager, rows: Stored<'thread'>[]): Promise<ThreadListItem[]> {
    const staff = await staffById(m);
    const items = await withPatient(m, this.deps, rows);
    const previews = new Map<string, MessageRecord>();
    const ids = rows.map((r) => r.record.id);
    for (let i = 0; i < ids.length; i += 500) {
      const qb = queryRows(m, 'message').andWhere('r.parentId IN (:...ids)', { ids: ids.slice(i, i + 500) });
      for (const { record } of await listStored<'message'>(qb)) {
        const seen = previews.get(record.threadId);
        if (!seen || record.sentAt > seen.sentAt) {
          previews.set(record.threadId, record);
        }
      }
    }
    return items.map((item) => ({
      ...item,
      assignedToName: item.row.assignedStaffId ? (staff.get(item.row.assignedStaffId)?.displayName ?? null) : null,
      lastMessagePreview: previewOf(previews.get(item.row.id)?.body ?? ''),
    }));
  }
}

type NewEntry = { [N in MutationName]: { name: N; args: MutationArgs[N]; description: string; rows: RowKey[] } }[MutationName];

function previewOf(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > PREVIEW_LENGTH ? `${line.slice(0, PREVIEW_LENGTH - 1)}…` : line;
}
