import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvitationEntity } from '../../../../shared/node/entities/server';
import type { PullResponse } from '../../../../shared/sync/protocol';
import { readMails } from '../../../../test/fixtures/mail';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, TestConsole, api, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';

/**
 * The smallest SMTP server nodemailer will hand a mail to (no STARTTLS, no AUTH): it keeps the
 * recipients it accepted, so the test knows a mail really reached a mail server.
 */
function startSmtpSink(): Promise<{ server: Server; port: number; recipients: string[]; sockets: Set<Socket> }> {
  const recipients: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let inData = false;
    let buffer = '';
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            socket.write('250 queued\r\n');
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'RCPT') {
          recipients.push(line.replace(/^RCPT TO:\s*<?([^>]*)>?.*$/i, '$1'));
        }
        if (verb === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else {
          socket.write('250 ok\r\n');
        }
      }
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, port: (server.address() as AddressInfo).port, recipients, sockets })));
}

async function deliveryStateOf(portal: TestPortal, invitationId: string): Promise<string | null> {
  const inv = await portal.handle.context.db.read((m) => m.findOneByOrFail(InvitationEntity, { id: invitationId }));
  return inv.deliveryState;
}

let folderPortal: TestPortal;
let smtpPortal: TestPortal;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
beforeAll(async () => {
  sink = await startSmtpSink();
  folderPortal = await startTestPortal();
  smtpPortal = await startTestPortal({ config: { smtpUrl: `smtp://127.0.0.1:${sink.port}` } });
});
afterAll(async () => {
  await folderPortal?.stop();
  await smtpPortal?.stop();
  for (const s of sink?.sockets ?? []) {
    s.destroy();
  }
  await new Promise((r) => sink?.server.close(r));
});

describe('invitation delivery state', () => {
  it('without SMTP the mail only reaches the folder: the invitation says "not emailed", and consoles are told so', async () => {
    const admin = await signInStaff(folderPortal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
    const { invitationId } = await new TestConsole(folderPortal.url, admin.token).preRegister({ email: 'folder@example.com' });
    await folderPortal.handle.flushMail();
    expect(await readMails(folderPortal.mailDir)).toHaveLength(1);
    expect(await deliveryStateOf(folderPortal, invitationId)).toBe('not_emailed_no_smtp');

    const pull = await api<PullResponse>(folderPortal.url, '/api/sync/pull?seq=0', { token: admin.token });
    const synced = pull.body.changes.find((c) => c.table === 'invitation' && c.op === 'upsert' && c.row.id === invitationId);
    expect(synced && synced.op === 'upsert' && synced.row).toMatchObject({ status: 'sent', deliveryState: 'not_emailed_no_smtp' });
  });

  it('a mail an SMTP server accepted is "emailed"; before that it is "queued"', async () => {
    const admin = await signInStaff(smtpPortal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
    const { invitationId } = await new TestConsole(smtpPortal.url, admin.token).preRegister({ email: 'smtp@example.com' });
    // The push's own transaction only queues the mail; the dispatcher may already be sending it.
    expect(['queued', 'emailed']).toContain(await deliveryStateOf(smtpPortal, invitationId));
    await smtpPortal.handle.flushMail();
    await expect.poll(() => deliveryStateOf(smtpPortal, invitationId), { timeout: 10_000 }).toBe('emailed');
    expect(sink.recipients).toContain('smtp@example.com');
    expect(await readMails(smtpPortal.mailDir)).toHaveLength(0);
  });
});
