/**
 * A console process SIGKILLed at each step of a sync, then started again on the same replica
 * file: every change it made reaches the server exactly once and the replicas agree.
 */
import { describe, expect, it } from 'vitest';
import { TestConsole } from '../fixtures/portal';
import { expectConverged, expectPatientsOnce, expectServerLastSeq } from './harness/checks';
import { ConsoleProcess } from './harness/processes';
import { useFaultServer } from './harness/suite';
import type { ConsoleFault } from './harness/consoleChild';

const suite = useFaultServer('fault-server-', [{ username: 'desk1', role: 'receptionist' }]);

async function openConsole(options: ConstructorParameters<typeof ConsoleProcess>[2] = {}): Promise<ConsoleProcess> {
  const c = await suite.openConsole(options);
  await c.signIn('desk1');
  return c;
}

describe('a console killed while pushing three pre-registrations with invitations', () => {
  const cases: [string, ConsoleFault, (sentBefore: number) => void][] = [
    ['after the local write, before anything was sent', { kind: 'beforePushSent' }, (applied) => expect(applied).toBe(0)],
    ['half-way through sending the push', { kind: 'midPushRequest' }, (applied) => expect(applied).toBe(0)],
    ['after the server committed, before the console recorded the answer', { kind: 'afterPushReply' }, (applied) => expect(applied).toBe(3)],
  ];
  it.each(cases)('%s: restarted, it sends what is missing, nothing twice', async (_name, fault, checkBefore) => {
    const prefix = `Crash${fault.kind}`;
    const c = await openConsole();
    const clientId = await c.clientId();
    // All three are written before any push starts, so the one push carries all three.
    await c.syncNow();
    await c.child.call('stopEngine');
    await c.preRegister(prefix, 3);
    await c.arm(fault);
    await c.child.call('startEngine');
    const end = await c.child.exited;
    expect(end.signal).toBe('SIGKILL');
    const before = await suite.server.sql<{ lastSeq: number }>(`SELECT lastSeq FROM client_mutation WHERE clientId = '${clientId}'`);
    checkBefore(Number(before[0]?.lastSeq ?? 0));

    await c.start();
    // Even the push the server committed is still pending here: its answer never got recorded.
    expect((await c.outbox()).map((e) => e.status)).toEqual(['pending', 'pending', 'pending']);
    await expectConverged(suite.server, suite.adminToken, [c]);
    expect((await c.outbox()).map((e) => e.status)).toEqual(['applied', 'applied', 'applied']);
    await expectServerLastSeq(suite.server, clientId, 3);
    await expectPatientsOnce(suite.server, prefix, 3);
  });
});

it('a console killed while applying a pull page starts again from the last whole page and ends equal to the server', async () => {
  // Another desk makes 12 patients while this console is stopped; it then pulls them 4 per page and dies inside the second page.
  const c = await openConsole({ sync: { pageSize: 4 } });
  await c.syncNow();
  await c.child.call('stopEngine');
  const other = new TestConsole(suite.server.url, suite.tokens.get('desk1') ?? '');
  for (let i = 1; i <= 12; i += 1) {
    await other.preRegister({ givenName: `Paged${i}`, familyName: 'Pull', email: `paged.${i}@example.com`, invitationId: null });
  }
  const cursorBefore = await c.child.call<{ seq: number }>('cursor');
  await c.arm({ kind: 'duringPullApply', page: 2 });
  await c.child.call('startEngine');
  expect((await c.child.exited).signal).toBe('SIGKILL');
  // Look at what the crash left, with the server out of reach so nothing syncs meanwhile.
  const offline = await new ConsoleProcess(c.dataDir, 'http://127.0.0.1:9').start();
  const left = await offline.snapshot();
  const cursorAfterCrash = await offline.child.call<{ seq: number }>('cursor');
  await offline.close();
  // The first page and its cursor committed together; the second page left nothing behind.
  expect(cursorAfterCrash.seq).toBeGreaterThan(cursorBefore.seq);
  const committed = await suite.server.sql<{ n: number }>(`SELECT COUNT(DISTINCT rowId) AS n FROM change_log WHERE tableName = 'patient' AND seq <= ${cursorAfterCrash.seq}`);
  expect(Object.keys(left.patient)).toHaveLength(Number(committed[0]?.n));
  expect(Object.values(left.patient).filter((p) => (p as { familyName: string }).familyName === 'Pull').length).toBeLessThan(12);
  await c.start();
  await expectConverged(suite.server, suite.adminToken, [c]);
  expect(Object.values((await c.snapshot()).patient).filter((p) => (p as { familyName: string }).familyName === 'Pull')).toHaveLength(12);
});
