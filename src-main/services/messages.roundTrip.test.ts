/**
 * Read marks through the real architecture: a console that acted offline on a thread must not mark
 * read, or close over, a message the patient wrote after the desk last looked (portal → server → console).
 */
import { describe, expect, it } from 'vitest';
import type { ThreadView } from '../../shared/domain/message';
import { MessageEntity, MessageThreadEntity } from '../../shared/node/entities/clinical';
import { useClinicConsoles } from '../../test/fixtures/clinicConsoles';
import type { PatientClient } from '../../test/fixtures/patients';
import { registerPatient } from '../../test/fixtures/patients';
import type { TestCore } from '../testSupport';

const clinic = useClinicConsoles();

/** A patient's new thread, already on the desk's console (unread there). */
async function threadOnTheDesk(givenName: string, subject: string, body: string): Promise<{ patient: PatientClient; threadId: string; desk: TestCore }> {
  const patient = await registerPatient(clinic.portal, clinic.team.desk.console, { givenName, familyName: 'Swelling' });
  const started = await patient.post<ThreadView>('/api/messages', { subject, body });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const desk = await clinic.openConsole('desk1');
  expect((await desk.services.messages.thread(started.body.id)).thread.row.unreadForStaff).toBe(1);
  return { patient, threadId: started.body.id, desk };
}

/** The server's own rows for the thread: the thread and its messages oldest first. */
async function onServer(threadId: string) {
  return clinic.portal.handle.context.db.read(async (m) => ({
    thread: await m.findOneByOrFail(MessageThreadEntity, { id: threadId }),
    messages: (await m.findBy(MessageEntity, { threadId })).sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.id.localeCompare(b.id)),
  }));
}

async function patientWritesAgain(patient: PatientClient, threadId: string): Promise<void> {
  const res = await patient.post<ThreadView>(`/api/messages/${threadId}/replies`, { body: 'Now my lips are swelling.' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

describe('a patient writes again while the desk acts offline', () => {
  it('an offline reply marks read only what the desk had seen: the new message stays unread for staff', async () => {
    const { patient, threadId, desk } = await threadOnTheDesk('Rosa', 'Rash after the new cream', 'I have a rash on my face.');
    const unreadBefore = (await desk.services.overview.counts()).unreadThreads;
    await desk.engine.stop();
    await desk.services.messages.reply(threadId, 'Stop the cream and send us a photo.');
    expect((await desk.services.overview.counts()).unreadThreads).toBe(unreadBefore - 1);

    await patientWritesAgain(patient, threadId);
    desk.engine.start();
    expect(await desk.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });

    const server = await onServer(threadId);
    expect(server.messages.map((m) => [m.authorKind, m.body, m.readAt !== null])).toEqual([
      ['patient', 'I have a rash on my face.', true],
      ['patient', 'Now my lips are swelling.', false],
      // The server dates the reply when it arrives: after the message the desk never saw.
      ['staff', 'Stop the cream and send us a photo.', false],
    ]);
    expect(server.thread).toMatchObject({ status: 'open', unreadForStaff: 1 });

    const onConsole = await desk.services.messages.thread(threadId);
    expect(onConsole.thread).toMatchObject({ pendingChanges: 0, row: { unreadForStaff: 1 } });
    expect(onConsole.messages.map((m) => [m.body, m.readAt !== null])).toEqual([
      ['I have a rash on my face.', true],
      ['Now my lips are swelling.', false],
      ['Stop the cream and send us a photo.', false],
    ]);
    expect((await desk.services.overview.counts()).unreadThreads).toBe(unreadBefore);
  });

  it('closing over a message nobody at the clinic has seen is refused, with why; the thread stays open and unread', async () => {
    const { patient, threadId, desk } = await threadOnTheDesk('Otto', 'Itchy eyes', 'My eyes itch since Monday.');
    const unreadBefore = (await desk.services.overview.counts()).unreadThreads;
    await desk.engine.stop();
    await desk.services.messages.markRead(threadId);
    await desk.services.messages.setStatus(threadId, 'closed');
    expect((await desk.services.overview.counts()).unreadThreads).toBe(unreadBefore - 1);

    await patientWritesAgain(patient, threadId);
    desk.engine.start();
    const status = await desk.engine.syncNow();
    expect(status.pending).toBe(0);
    expect(status.rejected).toEqual([
      expect.objectContaining({
        description: 'Close the conversation “Itchy eyes” with Otto Swelling',
        reason: 'The patient wrote again after you looked at this conversation: read the new message before closing it.',
      }),
    ]);

    const server = await onServer(threadId);
    expect(server.messages.map((m) => [m.body, m.readAt !== null])).toEqual([
      ['My eyes itch since Monday.', true],
      ['Now my lips are swelling.', false],
    ]);
    expect(server.thread).toMatchObject({ status: 'open', unreadForStaff: 1 });

    const onConsole = await desk.services.messages.thread(threadId);
    expect(onConsole.thread).toMatchObject({ pendingChanges: 0, row: { status: 'open', unreadForStaff: 1 } });
    expect(onConsole.messages.map((m) => [m.body, m.readAt !== null])).toEqual([
      ['My eyes itch since Monday.', true],
      ['Now my lips are swelling.', false],
    ]);
    expect((await desk.services.overview.counts()).unreadThreads).toBe(unreadBefore);

    // Once the desk has read the new message, closing goes through.
    await desk.services.messages.markRead(threadId);
    await desk.services.messages.setStatus(threadId, 'closed');
    const after = await desk.engine.syncNow();
    // Only the first close stays listed (until someone dismisses it).
    expect([after.pending, after.rejected.map((r) => r.seq)]).toEqual([0, status.rejected.map((r) => r.seq)]);
    expect((await onServer(threadId)).thread).toMatchObject({ status: 'closed', unreadForStaff: 0 });
  });
});
