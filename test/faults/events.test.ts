/**
 * The event stream dropped by the suite.server, cut on the way, or refused for good: a change made on
 * one console still reaches another without anyone asking it to sync — by the reconnect's pull,
 * or at worst by the slow safety timer.
 */
import { expect, it } from 'vitest';
import { expectConverged, expectPatientsOnce, waitUntil } from './harness/checks';
import type { ConsoleProcess } from './harness/processes';
import { useFaultServer } from './harness/suite';

const suite = useFaultServer('fault-events-', [{ username: 'desk1', role: 'receptionist' }]);

async function openConsole(safetyIntervalMs: number): Promise<ConsoleProcess> {
  const c = await suite.openConsole({ sync: { safetyIntervalMs } });
  await c.signIn('desk1');
  await c.syncNow();
  return c;
}

/** Waits (with a deadline) until the console lists a patient named so; it is never asked to sync. */
async function waitForPatient(c: ConsoleProcess, name: string): Promise<void> {
  await waitUntil(`the console lists ${name} without being asked to sync`, async () => (await c.call<unknown[]>('patients', 'list', name)).length > 0);
}

async function waitForStreams(n: number): Promise<void> {
  await waitUntil(`${n} event stream(s) open on the server`, async () => (await suite.server.child.call<number>('streams')) >= n);
}

const NEVER = 600_000;

it('the server ends every stream: consoles reconnect and the next change arrives live', async () => {
  const writer = await openConsole(NEVER);
  const watcher = await openConsole(NEVER);
  await waitForStreams(2);
  expect(await suite.server.child.call<number>('dropStreams')).toBeGreaterThanOrEqual(2);
  await waitForStreams(2);
  await writer.preRegister('Redial', 1);
  await waitForPatient(watcher, 'Redial1');
  await expectConverged(suite.server, suite.adminToken, [writer, watcher]);
  await expectPatientsOnce(suite.server, 'Redial', 1);
});

it('the connection is cut on the way: the console reconnects, pulls what it missed, and hears the next poke', async () => {
  const writer = await openConsole(NEVER);
  const watcher = await openConsole(NEVER);
  await waitForStreams(2);
  // Cut the watcher's stream and make a change before it is back: the reconnect's pull brings it.
  await watcher.arm({ kind: 'refuseEvents' });
  await watcher.child.call('cutEvents');
  await writer.preRegister('Missed', 1);
  await writer.syncNow();
  await watcher.arm(null);
  await waitForPatient(watcher, 'Missed1');
  await waitForStreams(2);
  await writer.preRegister('After', 1);
  await waitForPatient(watcher, 'After1');
  await expectConverged(suite.server, suite.adminToken, [writer, watcher]);
  await expectPatientsOnce(suite.server, 'Missed', 1);
  await expectPatientsOnce(suite.server, 'After', 1);
});

it('a stream that goes silent (no heartbeat) is dropped by the console, whose reconnect brings the change', async () => {
  const writer = await openConsole(NEVER);
  const watcher = await openConsole(NEVER);
  await waitForStreams(2);
  // The watcher's next connection is accepted, then nothing more ever comes on it.
  await watcher.arm({ kind: 'stallEvents' });
  await watcher.child.call('cutEvents');
  await waitUntil('the watcher’s event stream has stalled', async () => (await watcher.child.call<number>('stalls')) > 0);
  // Settled before the change is made: only the silence watchdog's reconnect can bring it now.
  await watcher.syncNow();
  await watcher.arm(null);
  await writer.preRegister('Silent', 1);
  await writer.syncNow();
  await waitForPatient(watcher, 'Silent1');
  await expectConverged(suite.server, suite.adminToken, [writer, watcher]);
  await expectPatientsOnce(suite.server, 'Silent', 1);
});

it('no event stream at all: the safety timer still brings the change', async () => {
  const writer = await openConsole(NEVER);
  const watcher = await openConsole(300);
  await watcher.arm({ kind: 'refuseEvents' });
  await watcher.child.call('cutEvents');
  await writer.preRegister('Timer', 1);
  await writer.syncNow();
  await waitForPatient(watcher, 'Timer1');
  await expectConverged(suite.server, suite.adminToken, [writer, watcher]);
  await expectPatientsOnce(suite.server, 'Timer', 1);
});
