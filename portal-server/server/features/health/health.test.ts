import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { version } from '../../../../package.json';
import { MailOutboxEntity } from '../../../../shared/node/entities/server';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { api, startTestPortal } from '../../../../test/fixtures/portal';

/** Issue 18 item 3: what /healthz and /readyz say, and a shutdown that lets requests in flight finish. */
let portal: TestPortal | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) {
    s.destroy();
  }
  await portal?.stop();
  portal = undefined;
});

/** Waits for a condition with a deadline (no fixed sleeps). */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A request in flight: its headers are sent and its body only half, so the server is inside it
 * until the test sends the rest. Returns the socket and everything the server answers on it.
 */
async function halfSentRequest(url: string): Promise<{ socket: Socket; answer: () => string; closed: () => boolean; finish(): void }> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({ token: 'not-a-real-link-token-0123456789' });
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  let answer = '';
  let closed = false;
  socket.on('data', (chunk) => {
    answer += chunk.toString();
  });
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`POST /api/registration/link-status HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`);
  return { socket, answer: () => answer, closed: () => closed, finish: () => socket.write(body.slice(10)) };
}

const refused = (url: string): Promise<boolean> =>
  fetch(`${url}/healthz`).then(
    () => false,
    () => true,
  );

describe('/healthz and /readyz', () => {
  it('says the version, the mail backlog and the live streams; readiness is 200 while the database answers', async () => {
    portal = await startTestPortal();
    const ctx = portal.handle.context;
    type Health = { ok: boolean; version: string; setUp: boolean; mail: { pending: number; failed: number; oldestPendingAgeSeconds: number | null }; liveStreams: number; draining: boolean };
    const empty = await api<Health>(portal.url, '/healthz');
    expect(empty.body.mail).toEqual({ pending: 0, failed: 0, oldestPendingAgeSeconds: null });

    // Mail waiting since two and one minutes ago, not due before the test ends (so the dispatcher
    // leaves them), one that failed (older, not counted as waiting) and one sent (not counted at all).
    const mail = (status: 'pending' | 'failed' | 'sent', minutesAgo: number) =>
      ctx.db.write((m) =>
        m.insert(MailOutboxEntity, {
          id: randomUUID(),
          clinicId: randomUUID(),
          recipient: 'someone@example.com',
          template: 'newMessage',
          payload: '{}',
          status,
          tries: 0,
          nextTryAt: new Date(Date.now() + 3_600_000).toISOString(),
          lastError: null,
          invitationId: null,
          patientId: null,
          passwordResetId: null,
          recoveryId: null,
          createdAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
          sentAt: status === 'sent' ? new Date().toISOString() : null,
          claimToken: null,
          claimedUntil: null,
        }),
      );
    await mail('pending', 1);
    await mail('pending', 2);
    await mail('failed', 10);
    await mail('sent', 20);
    const health = await api<Health>(portal.url, '/healthz');
    expect(health.status).toBe(200);
    expect(health.body.version).toBe(version);
    expect(health.body.setUp).toBe(true);
    expect(health.body.mail.pending).toBe(2);
    expect(health.body.mail.failed).toBe(1);
    expect(health.body.mail.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(119);
    expect(health.body.mail.oldestPendingAgeSeconds).toBeLessThan(300);
    expect(health.body.liveStreams).toBe(0);
    expect(health.body.draining).toBe(false);
    expect(JSON.stringify(health.body)).not.toContain('someone@example.com');

    const ready = await api<{ ready: boolean }>(portal.url, '/readyz');
    expect(ready).toMatchObject({ status: 200, body: { ready: true } });
  });
});

describe('shutdown', () => {
  it('stops accepting at once, lets a request in flight finish, then closes', async () => {
    portal = await startTestPortal({ config: { shutdownGraceMs: 60_000 } });
    const { url } = portal;
    const inFlight = await halfSentRequest(url);
    let closedAt = 0;
    const closing = portal.handle.close().then(() => {
      closedAt = Date.now();
    });
    expect(portal.handle.context.draining).toBe(true);
    await until('new connections to be refused', () => refused(url));
    expect(closedAt).toBe(0);

    inFlight.finish();
    await until('the request in flight to be answered', () => /\r\n\r\n/.test(inFlight.answer()));
    expect(inFlight.answer()).toMatch(/^HTTP\/1\.1 (200|400|404) /);
    await closing;
    expect(closedAt).toBeGreaterThan(0);
  });

  it('cuts a request that outlives the grace period, and still closes', async () => {
    portal = await startTestPortal({ config: { shutdownGraceMs: 200 } });
    const inFlight = await halfSentRequest(portal.url);
    await portal.handle.close();
    await until('the stuck connection to be cut', () => inFlight.closed());
    expect(inFlight.answer()).toBe('');
  });
});
