import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvitationEntity, MailOutboxEntity } from '../../../../shared/node/entities/server';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, TestConsole, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';

/** A port on 127.0.0.1 where nothing listens: SMTP connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

let portal: TestPortal;
beforeAll(async () => {
  portal = await startTestPortal({ config: { smtpUrl: `smtp://127.0.0.1:${await closedPort()}`, mailMaxTries: 3, mailRetryBaseMs: 10 } });
});
afterAll(async () => {
  await portal.stop();
});

describe('mail outbox', () => {
  it('retries a failing mail with back-off, then marks its invitation "failed" for the desk and forgets the secrets', async () => {
    const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
    const { invitationId } = await new TestConsole(portal.url, admin.token).preRegister({ email: 'bounce@example.com' });
    const db = portal.handle.context.db;
    for (let i = 0; i < 200; i += 1) {
      const inv = await db.read((m) => m.findOneByOrFail(InvitationEntity, { id: invitationId }));
      if (inv.status === 'failed') {
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const inv = await db.read((m) => m.findOneByOrFail(InvitationEntity, { id: invitationId }));
    expect(inv.status).toBe('failed');
    expect(inv.lastError).toMatch(/could not be delivered/);
    expect(inv.deliveryState).toBe('failed');
    const mail = await db.read((m) => m.findOneByOrFail(MailOutboxEntity, { invitationId }));
    expect(mail.tries).toBe(3);
    expect(mail.status).toBe('failed');
    expect(mail.payload).not.toMatch(/token|registrationId/);
  });
});
