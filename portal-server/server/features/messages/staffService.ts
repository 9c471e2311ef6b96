/** The care team's side of messaging, arriving as sync mutations. Any staff member may do these. */
import { mixed, object, string } from 'yup';
import { DomainError } from '../../../../shared/api/errors';
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
import { insertMessage, markMessagesRead, updateThread } from './threads';

const startArgs = newThreadSchema.shape({ threadId: uuidSchema, messageId: uuidSchema, patientId: uuidSchema });
const replyArgs = replySchema.shape({ threadId: uuidSchema, messageId: uuidSchema });
const assignArgs = object({ threadId: uuidSchema, staffUserId: string().nullable().defined().default(null).matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'Choose a staff member from the list.', excludeEmptyString: true }) });
const statusArgs = object({ threadId: uuidSchema, status: mixed<ThreadStatus>().oneOf([...THREAD_STATUSES], 'Choose open or closed.').required('Choose open or closed.') });
const threadArgs = object({ threadId: uuidSchema });

async function findThread(c: StaffCall, id: string): Promise<MessageThreadRow> {
  const thread = await c.m.findOneBy(MessageThreadEntity, { id, clinicId: c.clinic.id });
  if (!thread || thread.deletedAt) {
    throw new DomainError('not_found', 'That conversation does not exist on the server.');
  }
  return thread;
}

async function assertNewMessageId(c: StaffCall, id: string): Promise<void> {
  if (await c.m.findOneBy(MessageEntity, { id })) {
    throw new DomainError('conflict', 'A message with this id already exists.');
  }
}

export async function startThread(c: StaffCall, input: MutationArgs['startThread']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'write to patients');
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
  await notifyPatient(c, patient.id, 'newMessage');
}

/**
 * A reply also counts as having read the patient's messages and opens a closed thread again; a
 * physician answering a thread nobody was assigned to takes it.
 */
export async function replyToThread(c: StaffCall, input: MutationArgs['replyToThread']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'write to patients');
  const args = validateOrThrow(replyArgs, input);
  const thread = await findThread(c, args.threadId);
  await assertNewMessageId(c, args.messageId);
  const now = nowIso(c);
  await markMessagesRead(staffWriter(c), thread.id, 'patient', now);
  await insertMessage(staffWriter(c), thread, { id: args.messageId, clinicId: c.clinic.id, authorKind: 'staff', authorStaffId: c.staff.id, authorName: c.staff.displayName, body: args.body }, now);
  const assignedStaffId = thread.assignedStaffId ?? (c.staff.role === 'physician' ? c.staff.id : null);
  await updateThread(staffWriter(c), thread, { unreadForPatient: thread.unreadForPatient + 1, unreadForStaff: 0, lastMessageAt: now, status: 'open', assignedStaffId }, { action: 'thread.reply' });
  await notifyPatient(c, thread.patientId, 'newMessage');
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

export async function setThreadStatus(c: StaffCall, input: MutationArgs['setThreadStatus']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'open or close conversations');
  const args = validateOrThrow(statusArgs, input);
  const thread = await findThread(c, args.threadId);
  if (thread.status !== args.status) {
    await updateThread(staffWriter(c), thread, { status: args.status }, { action: `thread.${args.status}` });
  }
}

export async function markThreadRead(c: StaffCall, input: MutationArgs['markThreadRead']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'read messages');
  const args = validateOrThrow(threadArgs, input);
  const thread = await findThread(c, args.threadId);
  const now = nowIso(c);
  const marked = await markMessagesRead(staffWriter(c), thread.id, 'patient', now);
  if (marked > 0 || thread.unreadForStaff !== 0) {
    // Reading is not an audited action.
    await updateThread(staffWriter(c), thread, { unreadForStaff: 0 }, null);
  }
}
