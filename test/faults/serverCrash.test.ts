/**
 * The server process SIGKILLed in the middle of a push, and the same batch pushed twice at once:
 * each change is applied once, its invitation mailed once, and the replicas agree.
 */
import { expect, it } from 'vitest';
import type { PushResponse } from '../../shared/sync/protocol';
import { TestConsole } from '../fixtures/portal';
import { expectConverged, expectPatientsOnce, expectServerLastSeq } from './harness/checks';
import type { ConsoleProcess } from './harness/processes';
import { useFaultServer } from './harness/suite';

const suite = useFaultServer('fault-server-', [{ username: 'desk1', role: 'receptionist' }]);

async function openConsole(): Promise<ConsoleProcess> {
  const c = await suite.openConsole();
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
  await suite.server.child.call('killAfterWrites', 3);
  await c.child.call('startEngine');
  expect((await suite.server.child.exited).signal).toBe('SIGKILL');
  await c.child.call('stopEngine');
  await suite.server.start();
  await expectServerLastSeq(suite.server, clientId, 3);

  await c.child.call('startEngine');
  await expectConverged(suite.server, suite.adminToken, [c]);
  await expectServerLastSeq(suite.server, clientId, 6);
  // The three committed before the crash are mailed after the restart (the mail outbox is in the same database).
  await expectPatientsOnce(suite.server, 'Midpush', 6);
});

it('a console whose every push goes out twice at once still applies each change once', async () => {
  const c = await openConsole();
  await c.arm({ kind: 'duplicatePush' });
  await c.preRegister('Twice', 4);
  await expectConverged(suite.server, suite.adminToken, [c]);
  await expectServerLastSeq(suite.server, await c.clientId(), 4);
  await expectPatientsOnce(suite.server, 'Twice', 4);
});

it('two identical pushes at once: every seq is applied by exactly one of them, the other calls it a duplicate', async () => {
  const desk = new TestConsole(suite.server.url, suite.tokens.get('desk1') ?? '');
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
  await expectPatientsOnce(suite.server, 'Race', 5);
});
