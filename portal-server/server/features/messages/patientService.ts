/** The patient's side of messaging: threads with their care team. */
import { IsNull } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import type { ThreadSummaryView, ThreadView } from '../../../../shared/domain/message';
import { MessageThreadEntity } from '../../../../shared/node/entities/clinical';
import type { MessageThreadRow } from '../../../../shared/node/entities/clinical';
import { newId } from '../../../../shared/node/secrets';
import { newThreadSchema, replySchema } from '../../../../shared/validation/requests';
import { validateOrThrow } from '../../../../shared/validation/validate';
import { staffNames } from '../appointments/views';
import type { PatientCall } from '../calls';
import { nowIso, patientWriter } from '../calls';
import { insertSynced } from '../sync/writeSynced';
import { insertMessage, markMessagesRead, patientThreadView, threadSummary, updateThread } from './threads';

const authorName = (c: PatientCall): string => `${c.patient.givenName} ${c.patient.familyName}`;

export async function listThreads(c: PatientCall): Promise<ThreadSummaryView[]> {
  const rows = await c.m.find(MessageThreadEntity, { where: { patientId: c.patient.id, clinicId: c.clinic.id, deletedAt: IsNull() }, order: { lastMessageAt: 'DESC' } });
  const names = await staffNames(c.m, rows.map((t) => t.assignedStaffId));
  return rows.map((t) => threadSummary(t, names));
}

/** Only the signed-in patient's own thread; anyone else's is "not found". */
async function findOwn(c: PatientCall, id: string): Promise<MessageThreadRow> {
  const thread = await c.m.findOneBy(MessageThreadEntity, { id, patientId: c.patient.id, clinicId: c.clinic.id });
  if (!thread || thread.deletedAt) {
    throw new DomainError('not_found', 'We could not find that conversation.');
  }
  return thread;
}

export async function startThreadAsPatient(c: PatientCall, body: unknown): Promise<ThreadView> {
  const form = validateOrThrow(newThreadSchema, body);
  const now = nowIso(c);
  const thread: MessageThreadRow = {
    id: newId(),
    clinicId: c.clinic.id,
    patientId: c.patient.id,
    subject: form.subject,
    assignedStaffId: null,
    status: 'open',
    lastMessageAt: now,
    unreadForStaff: 1,
    unreadForPatient: 0,
    version: 1,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  await insertSynced(patientWriter(c), 'thread', thread, { action: 'thread.start' });
  await insertMessage(patientWriter(c), thread, { id: newId(), clinicId: c.clinic.id, authorKind: 'patient', authorStaffId: null, authorName: authorName(c), body: form.body }, now);
  return patientThreadView(c.m, thread);
}

/** Opening a thread marks the clinic's messages in it read. */
export async function readThread(c: PatientCall, id: string): Promise<ThreadView> {
  let thread = await findOwn(c, id);
  const now = nowIso(c);
  const { marked } = await markMessagesRead(patientWriter(c), thread.id, 'staff', now);
  if (marked > 0 || thread.unreadForPatient !== 0) {
    // Reading is not an audited action.
    thread = await updateThread(patientWriter(c), thread, { unreadForPatient: 0 }, null);
  }
  return patientThreadView(c.m, thread);
}

/** A reply to a closed thread opens it again: the care team should see it. */
export async function replyAsPatient(c: PatientCall, id: string, body: unknown): Promise<ThreadView> {
  const form = validateOrThrow(replySchema, body);
  const thread = await findOwn(c, id);
  const now = nowIso(c);
  await insertMessage(patientWriter(c), thread, { id: newId(), clinicId: c.clinic.id, authorKind: 'patient', authorStaffId: null, authorName: authorName(c), body: form.body }, now);
  const updated = await updateThread(patientWriter(c), thread, { unreadForStaff: thread.unreadForStaff + 1, lastMessageAt: now, status: 'open' }, { action: 'thread.reply' });
  return patientThreadView(c.m, updated);
}
