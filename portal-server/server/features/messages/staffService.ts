/**
 * The care team's side of messaging, arriving as sync mutations. Every desk role may route, close
 * and read; who may write to patients is the clinic's setting (messageRepliers).
 */
import { mixed, object, string } from 'yup';
import { DomainError } from '../../../../shared/api/errors';
import { mayReplyToPatients, replyRefusal } from '../../../../shared/domain/clinic';
import { THREAD_STATUSES } from '../../../../shared/domain/message';
import type { ThreadStatus } from '../../../../shared/domain/message';
import { MessageEntity, MessageThreadEntity } from '../../../../shared/node/entities/clinical';
import type { MessageThreadRow } from '../../../../shared/node/entities/clinical';
import { PatientEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import type { MutationArgs } from '../../../../shared/sync/protocol';
import { newThreadSchema, replySchema, uuidSchema } from '../../../../shared/validation/requests';
import { validateOrThrow } from '../../../../shared/validation/validate';
import type { StaffCall } from '../calls';
import { DESK_ROLES, nowIso, requireStaffRole, staffWriter } from '../calls';
import { notifyPatient } from '../mail/notify';
import { insertSynced } from '../sync/writeSynced';
import type { ReadUpTo } from './threads';
import { insertMessage, isWithin, markMessagesRead, unreadMessages, updateThread } from './threads';

const startArgs = newThreadSchema.shape({ threadId: uuidSchema, messageId: uuidSchema, patientId: uuidSchema });
/** The newest patient message the desk had seen when it acted (see MutationArgs): null for none, absent from older consoles. */
const seenThroughMessageId = uuidSchema.nullable().optional();
const replyArgs = replySchema.shape({ threadId: uuidSchema, messageId: uuidSchema, seenThroughMessageId });
const assignArgs = object({ threadId: uuidSchema, staffUserId: string().nullable().defined().default(null).matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'Choose a staff member from the list.', excludeEmptyString: true }) });
const statusArgs = object({ threadId: uuidSchema, status: mixed<ThreadStatus>().oneOf([...THREAD_STATUSES], 'Choose open or closed.').required('Choose open or closed.'), seenThroughMessageId });
const readArgs = object({ threadId: uuidSchema, seenThroughMessageId });

export const UNSEEN_PATIENT_MESSAGE = 'The patient wrote again after you looked at this conversation: read the new message before closing it.';

/** Judged by the acting person's role on the server and the clinic row read for this request. */
function requireMayReply(c: StaffCall): void {
  if (!mayReplyToPatients(c.clinic, c.staff.role)) {
    throw new DomainError('forbidden', replyRefusal(c.clinic));
  }
}

async function findThread(c: StaffCall, id: string): Promise<MessageThreadRow> {
  const thread = await c.m.findOneBy(MessageThreadEntity, { id, clinicId: c.clinic.id });
  if (!thread || thread.deletedAt) {
    throw new DomainError('not_found', 'That conversation does not exist on the server.');
  }
  return thread;
}

/**
 * The patient messages the desk had seen when it acted. An id that is not one of this thread's
 * patient messages proves nothing was seen, so it reads as none: the safe side for read marks and
 * closing. A message deleted since still marks how far the desk had read.
 */
async function seenUpTo(c: StaffCall, thread: MessageThreadRow, seenId: string | null | undefined): Promise<ReadUpTo> {
  if (seenId === undefined) {
    return 'all';
  }
  const seen = seenId === null ? null : await c.m.findOneBy(MessageEntity, { id: seenId, threadId: thread.id, clinicId: c.clinic.id, authorKind: 'patient' });
  return seen ? { sentAt: seen.sentAt, id: seen.id } : 'none';
}

async function assertNewMessageId(c: StaffCall, id: string): Promise<void> {
  if (await c.m.findOneBy(MessageEntity, { id })) {
    throw new DomainError('conflict', 'A message with this id already exists.');
  }
}

export async function startThread(c: StaffCall, input: MutationArgs['startThread']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'write to patients');
  requireMayReply(c);
  const args = validateOrThrow(startArgs, input);
  const patient = await c.m.findOneBy(PatientEntity, { id: args.patientId, clinicId: c.clinic.id });
  if (!patient || patient.deletedAt) {
    throw new DomainError('not_found', 'That patient does not exist on the server.');
  }
  if (await c.m.findOneBy(MessageThreadEntity, { id: args.threadId })) {
    throw new DomainError('conflict', 'A conversation with this id already exists.');
  }
  await assertNewMessageId(c, args.messageId);
  const now = nowIso(c);
  const thread: MessageThreadRow = {
    id: args.threadId,
    clinicId: c.clinic.id,
    patientId: patient.id,
    subject: args.subject,
    assignedStaffId: c.staff.id,
    status: 'open',
    lastMessageAt: now,
    unreadForStaff: 0,
    unreadForPatient: 1,
    version: 1,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  await insertSynced(staffWriter(c), 'thread', thread, { action: 'thread.start' });
  await insertMessage(staffWriter(c), thread, { id: args.messageId, clinicId: c.clinic.id, authorKind: 'staff', authorStaffId: c.staff.id, authorName: c.staff.displayName, body: args.body }, now);
  await notifyPatient(c, patient.id, 'newMessage', { kind: 'thread', threadId: thread.id });
}

/**
 * A reply also counts as having read the patient's messages and opens a closed thread again; a
 * physician answering a thread nobody was assigned to takes it.
 */
export async function replyToThread(c: StaffCall, input: MutationArgs['replyToThread']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'write to patients');
  requireMayReply(c);
  const args = validateOrThrow(replyArgs, input);
  const thread = await findThread(c, args.threadId);
  await assertNewMessageId(c, args.messageId);
  const now = nowIso(c);
  const { stillUnread } = await markMessagesRead(staffWriter(c), thread.id, 'patient', now, await seenUpTo(c, thread, args.seenThroughMessageId));
  await insertMessage(staffWriter(c), thread, { id: args.messageId, clinicId: c.clinic.id, authorKind: 'staff', authorStaffId: c.staff.id, authorName: c.staff.displayName, body: args.body }, now);
  const assignedStaffId = thread.assignedStaffId ?? (c.staff.role === 'physician' ? c.staff.id : null);
  await updateThread(staffWriter(c), thread, { unreadForPatient: thread.unreadForPatient + 1, unreadForStaff: stillUnread, lastMessageAt: now, status: 'open', assignedStaffId }, { action: 'thread.reply' });
  await notifyPatient(c, thread.patientId, 'newMessage', { kind: 'thread', threadId: thread.id });
}

export async function assignThread(c: StaffCall, input: MutationArgs['assignThread']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'route messages');
  const args = validateOrThrow(assignArgs, input);
  const thread = await findThread(c, args.threadId);
  const staffUserId = args.staffUserId || null;
  if (staffUserId) {
    const assignee = await c.m.findOneBy(StaffUserEntity, { id: staffUserId, clinicId: c.clinic.id });
    if (!assignee || !assignee.active) {
      throw new DomainError('validation_failed', 'Choose an active staff member.', { staffUserId: 'Choose an active staff member from the list.' });
    }
  }
  if (thread.assignedStaffId !== staffUserId) {
    await updateThread(staffWriter(c), thread, { assignedStaffId: staffUserId }, { action: 'thread.assign', detail: staffUserId ? `to=${staffUserId}` : 'to=care-team' });
  }
}

/**
 * Closing over a patient message nobody at the clinic has read, sent after what the desk had seen,
 * is refused rather than applied with the thread left open: a refusal is listed on the console with
 * its reason until someone deals with it, while a close that silently did not happen would look
 * done to the desk that made it. A message a colleague has read meanwhile does not stop it.
 */
export async function setThreadStatus(c: StaffCall, input: MutationArgs['setThreadStatus']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'open or close conversations');
  const args = validateOrThrow(statusArgs, input);
  const thread = await findThread(c, args.threadId);
  if (args.status === 'closed') {
    const seen = await seenUpTo(c, thread, args.seenThroughMessageId);
    if ((await unreadMessages(c.m, thread.id, 'patient')).some((msg) => !isWithin(msg, seen))) {
      throw new DomainError('conflict', UNSEEN_PATIENT_MESSAGE);
    }
  }
  if (thread.status !== args.status) {
    await updateThread(staffWriter(c), thread, { status: args.status }, { action: `thread.${args.status}` });
  }
}

export async function markThreadRead(c: StaffCall, input: MutationArgs['markThreadRead']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'read messages');
  const args = validateOrThrow(readArgs, input);
  const thread = await findThread(c, args.threadId);
  const now = nowIso(c);
  const { marked, stillUnread } = await markMessagesRead(staffWriter(c), thread.id, 'patient', now, await seenUpTo(c, thread, args.seenThroughMessageId));
  if (marked > 0 || thread.unreadForStaff !== stillUnread) {
    // Reading is not an audited action.
    await updateThread(staffWriter(c), thread, { unreadForStaff: stillUnread }, null);
  }
}
