/**
 * The server process SIGKILLed in the middle of a push, and the same batch pushed twice at once:
 * each change is applied once, its invitation mailed once, and the replicas agree.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { PushResponse } from '../../shared/sync/protocol';
import { TEST_CLINIC, TestConsole, addStaff, signInStaff } from '../fixtures/portal';
import { expectConverged, expectPatientsOnce, expectServerLastSeq } from './harness/checks';
import { ConsoleProcess, ServerProcess, tempDir } from './harness/processes';

const serverDir = tempDir('fault-server-');
const dirs: { remove(): void }[] = [serverDir];
let server: ServerProcess;
let adminToken: string;
let deskToken: string;
const consoles: ConsoleProcess[] = [];

beforeAll(async () => {
  server = await new ServerProcess(serverDir.path).start();
  adminToken = (await signInStaff(server.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  deskToken = await addStaff(server.url, adminToken, 'desk1', 'receptionist', 'Staff2Work');
}, 60_000);
afterEach(async () => {
  await Promise.all(consoles.splice(0).map((c) => c.child.kill()));
});
afterAll(async () => {
  await server.stop();
  dirs.forEach((d) => d.remove());
});

async function openConsole(): Promise<ConsoleProcess> {
  const dir = tempDir('fault-console-');
  dirs.push(dir);
  const c = await new ConsoleProcess(dir.path, server.url).start();
  consoles.push(c);
  await c.signIn('desk1');
  return c;
}

it('a server killed after applying three of six pushed changes: restarted, the console sends the rest, nothing twice', async () => {
  const c = await openConsole();
  await c.syncNow();
  await c.child.call('stopEngine');
  await c.preRegister('Midpush', 6);
  const clientId = await c.clientId();
  // Each change is one transaction on the server: it dies right after the third commits.
  await server.child.call('killAfterWrites', 3);
  await c.child.call('startEngine');
  expect((await server.child.exited).signal).toBe('SIGKILL');
  await c.child.call('stopEngine');
  await server.start();
  await expectServerLastSeq(server, clientId, 3);

  await c.child.call('startEngine');
  await expectConverged(server, adminToken, [c]);
  await expectServerLastSeq(server, clientId, 6);
  // The three committed before the crash are mailed after the restart (the mail outbox is in the same database).
  await expectPatientsOnce(server, 'Midpush', 6);
});

it('a console whose every push goes out twice at once still applies each change once', async () => {
  const c = await openConsole();
  await c.arm({ kind: 'duplicatePush' });
  await c.preRegister('Twice', 4);
  await expectConverged(server, adminToken, [c]);
  await expectServerLastSeq(server, await c.clientId(), 4);
  await expectPatientsOnce(server, 'Twice', 4);
});

it('two identical pushes at once: every seq is applied by exactly one of them, the other calls it a duplicate', async () => {
  const desk = new TestConsole(server.url, deskToken);
  const batch = [1, 2, 3, 4, 5].map((i) =>
    desk.mutation('preRegisterPatient', { patientId: crypto.randomUUID(), givenName: `Race${i}`, familyName: 'Fault', dateOfBirth: '1986-04-12', email: `race.${i}@example.com`, phone: '', invitationId: crypto.randomUUID() }),
  );
  const replies: { status: number; body: PushResponse }[] = await Promise.all([desk.push(batch), desk.push(batch)]);
  expect(replies.map((r) => [r.status, r.body.lastSeq])).toEqual([
    [200, 5],
    [200, 5],
  ]);
  for (const seq of [1, 2, 3, 4, 5]) {
    const statuses = replies.map((r) => r.body.outcomes.find((o) => o.seq === seq)?.status).sort();
    expect(statuses).toEqual(['applied', 'duplicate']);
  }
  await expectPatientsOnce(server, 'Race', 5);
});
