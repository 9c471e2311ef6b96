import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainError } from '../../shared/api/errors';
import type { MessageRepliers } from '../../shared/domain/clinic';
import { startSignedInCore } from '../../src-main/testSupport';
import type { HostilePortal } from './helpers';
import { DEMO, startHostilePortal } from './helpers';

/** Who may answer patients is the clinic's setting, judged by the server on every push (and by the console before it queues). */
let hp: HostilePortal;
let threadId: string;

beforeAll(async () => {
  hp = await startHostilePortal();
  const [thread] = await hp.rows<{ id: string }>('SELECT id FROM message_thread WHERE patientId = ? LIMIT 1', [hp.ana.patientId]);
  threadId = thread?.id ?? '';
  expect(threadId).not.toBe('');
});
afterAll(async () => {
  await hp.stop();
});

const setRepliers = async (messageRepliers: MessageRepliers) => {
  expect((await hp.admin.call('/api/staff/clinic', { method: 'PATCH', body: { messageRepliers } })).status).toBe(200);
};
const reply = (desk: typeof hp.admin) => desk.apply('replyToThread', { threadId, messageId: randomUUID(), body: 'Please take two tablets.' });
const start = (desk: typeof hp.admin) =>
  desk.apply('startThread', { threadId: randomUUID(), messageId: randomUUID(), patientId: hp.ana.patientId, subject: 'Your results', body: 'All fine.' });
const forbidden = { seq: expect.any(Number), status: 'rejected', error: { code: 'forbidden', message: expect.stringContaining("Under this clinic's settings") } };

describe('answering patients', () => {
  it('by default an admin may not answer or start a conversation; the thread and its messages stay as they were', async () => {
    await setRepliers('physicians_receptionists');
    const before = await hp.snapshot();
    expect(await reply(hp.admin)).toEqual(forbidden);
    expect(await start(hp.admin)).toEqual(forbidden);
    expect(await hp.snapshot()).toEqual(before);
    expect(await reply(hp.receptionist)).toMatchObject({ status: 'applied' });
  });

  it('with "physicians only" a receptionist is refused and changes nothing, may still route the thread, and a physician answers', async () => {
    await setRepliers('physicians');
    try {
      const before = await hp.snapshot();
      expect(await reply(hp.receptionist)).toEqual(forbidden);
      expect(await start(hp.receptionist)).toEqual(forbidden);
      expect(await hp.snapshot()).toEqual(before);
      expect(await hp.receptionist.apply('assignThread', { threadId, staffUserId: hp.physician.staffId })).toMatchObject({ status: 'applied' });
      expect(await reply(hp.physician)).toMatchObject({ status: 'applied' });
    } finally {
      await setRepliers('physicians_receptionists');
    }
  });

  it('the console refuses it before queueing: an admin console neither shows the reply nor keeps it waiting', async () => {
    const core = await startSignedInCore(hp.url, DEMO.admin.username, DEMO.admin.password);
    try {
      const err = (await core.services.messages.reply(threadId, 'A reply the server would refuse').catch((e: unknown) => e)) as DomainError;
      expect({ code: err.code, message: err.message }).toEqual({ code: 'forbidden', message: expect.stringContaining('only physicians and receptionists answer') });
      const started = (await core.services.messages.start({ patientId: hp.ana.patientId, subject: 'Hello', body: 'Hi' }).catch((e: unknown) => e)) as DomainError;
      expect(started.code).toBe('forbidden');
      expect(await core.db.read((m) => core.outbox.countPending(m))).toBe(0);
      expect((await core.services.messages.thread(threadId)).messages.map((msg) => msg.body)).not.toContain('A reply the server would refuse');
    } finally {
      await core.dispose();
    }
  });
});
