/** The dispatcher sends only what is still live when its turn comes; real .eml files, parsed back. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvitationEntity, MailOutboxEntity } from '../../../../shared/node/entities/server';
import { readMails } from '../../../../test/fixtures/mail';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, TestConsole, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let desk: TestConsole;
beforeAll(async () => {
  portal = await startTestPortal();
  desk = new TestConsole(portal.url, (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token);
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
const mailsTo = async (address: string) => (await readMails(portal.mailDir)).filter((m) => m.to.includes(address));

async function existingPatient(email: string): Promise<string> {
  const { patientId, response } = await desk.preRegister({ email, invitationId: null });
  expect(response.outcomes[0]?.status).toBe('applied');
  return patientId;
}

describe('mail is checked for liveness when it is sent', () => {
  it('an offline invite to a typo, revoked, address fixed and resent — one push — mails only the corrected address', async () => {
    const typo = 'ann.typo@exmaple.com';
    const fixed = 'ann.fixed@example.com';
    const patientId = await existingPatient(typo);
    await portal.handle.flushMail();
    const first = randomUUID();
    const second = randomUUID();
    const res = await desk.push([
      desk.mutation('sendInvitation', { patientId, invitationId: first }),
      desk.mutation('revokeInvitation', { invitationId: first }),
      desk.mutation('updatePatient', { patientId, baseVersion: 1, changes: { email: fixed } }),
      desk.mutation('sendInvitation', { patientId, invitationId: second }),
    ]);
    expect(res.body.outcomes.map((o) => o.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    await portal.handle.flushMail();

    expect(await mailsTo(typo)).toEqual([]);
    const delivered = await mailsTo(fixed);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.registrationId).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    const cancelled = await db().read((m) => m.findOneByOrFail(MailOutboxEntity, { invitationId: first }));
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.sentAt).toBeNull();
    expect(cancelled.lastError).toMatch(/revoked/);
    expect(cancelled.payload).not.toMatch(/token|registrationId/);
    const sent = await db().read((m) => m.findOneByOrFail(InvitationEntity, { id: second }));
    expect(sent.status).toBe('sent');
    expect(sent.sentAt).not.toBeNull();
  });

  it('an address changed under a live invitation: nothing goes to the old address, and the desk sees the invitation was not delivered', async () => {
    const old = 'bob.old@example.com';
    const patientId = await existingPatient(old);
    const invitationId = randomUUID();
    const res = await desk.push([
      desk.mutation('sendInvitation', { patientId, invitationId }),
      desk.mutation('updatePatient', { patientId, baseVersion: 1, changes: { email: 'bob.new@example.com' } }),
    ]);
    expect(res.body.outcomes.map((o) => o.status)).toEqual(['applied', 'applied']);
    await portal.handle.flushMail();

    expect(await mailsTo(old)).toEqual([]);
    expect(await mailsTo('bob.new@example.com')).toEqual([]);
    const mail = await db().read((m) => m.findOneByOrFail(MailOutboxEntity, { invitationId }));
    expect(mail.status).toBe('cancelled');
    expect(mail.lastError).toMatch(/address changed/);
    const inv = await db().read((m) => m.findOneByOrFail(InvitationEntity, { id: invitationId }));
    expect(inv.status).toBe('failed');
    expect(inv.lastError).toMatch(/Send a new invitation/);
  });

  it('pressing Send twice offline mails once: the earlier invitation, replaced, is not mailed', async () => {
    const email = 'cara@example.com';
    const patientId = await existingPatient(email);
    const res = await desk.push([
      desk.mutation('sendInvitation', { patientId, invitationId: randomUUID() }),
      desk.mutation('sendInvitation', { patientId, invitationId: randomUUID() }),
    ]);
    expect(res.body.outcomes.map((o) => o.status)).toEqual(['applied', 'applied']);
    await portal.handle.flushMail();
    expect(await mailsTo(email)).toHaveLength(1);
  });
});
