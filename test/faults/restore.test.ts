/**
 * The clinic server restored from an older backup (same epoch, shorter history): consoles detect
 * it, send again what the server lost of theirs, and drop what it no longer has of anyone else's.
 */
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { join } from 'node:path';
import { TEST_CLINIC, TestConsole, addStaff, signInStaff } from '../fixtures/portal';
import { expectConverged, expectPatientsOnce, expectServerLastSeq, waitUntil } from './harness/checks';
import { ConsoleProcess, ServerProcess, killAllChildren, tempDir } from './harness/processes';

const dirs: { remove(): void }[] = [];
let server: ServerProcess;
let adminToken: string;
let backup: string;
const consoles: ConsoleProcess[] = [];

beforeEach(async () => {
  const dir = tempDir('fault-restore-');
  dirs.push(dir);
  server = await new ServerProcess(join(dir.path, 'data')).start();
  backup = join(dir.path, 'backup');
  adminToken = (await signInStaff(server.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  await addStaff(server.url, adminToken, 'desk1', 'receptionist', 'Staff2Work');
  await addStaff(server.url, adminToken, 'desk2', 'receptionist', 'Staff2Work');
}, 60_000);
afterEach(async () => {
  await Promise.all(consoles.splice(0).map((c) => c.child.kill()));
  await server.stop();
  // A test that timed out mid-restore may have started a server child nobody holds any more.
  await killAllChildren();
});
afterAll(() => dirs.forEach((d) => d.remove()));

async function openConsole(username: string): Promise<ConsoleProcess> {
  const dir = tempDir('fault-console-');
  dirs.push(dir);
  const c = await new ConsoleProcess(dir.path, server.url).start();
  consoles.push(c);
  await c.signIn(username);
  return c;
}

// Three console processes and two server restarts: ~20 s on a quiet machine, more beside other work.
it('a busy console resends what the restored server lost, an idle one is found out by its pull cursor, a running one by itself, and all end equal', { timeout: 120_000 }, async () => {
  const busy = await openConsole('desk1');
  const idle = await openConsole('desk2');
  // Left running throughout: it must find out by itself, from its event stream's reconnect.
  const watcher = await openConsole('desk2');
  await busy.preRegister('Kept', 2);
  await busy.syncNow();
  await server.backUp(backup);

  // After the backup: both consoles' changes are accepted, then lost with the restore.
  const [lostId] = await busy.preRegister('Lost', 3);
  expect(await busy.syncNow()).toMatchObject({ pending: 0 });
  // Two edits of one of them, each accepted: resent in order, each builds on the one before.
  for (const phone of ['555-0101', '555-0102']) {
    await busy.call('patients', 'update', lostId, { givenName: 'Lost1', familyName: 'Fault', dateOfBirth: '04/12/1986', email: 'lost.1@example.com', phone });
    expect(await busy.syncNow()).toMatchObject({ pending: 0, rejected: [] });
  }
  await idle.preRegister('Idle', 2);
  expect(await idle.syncNow()).toMatchObject({ pending: 0 });
  await watcher.preRegister('Watch', 1);
  expect(await watcher.syncNow()).toMatchObject({ pending: 0 });
  const watcherId = await watcher.clientId();
  const busyId = await busy.clientId();
  const idleId = await idle.clientId();
  await expectServerLastSeq(server, busyId, 7);

  await idle.child.call('stopEngine');
  await server.restoreFrom(backup);
  await expectServerLastSeq(server, busyId, 2);
  expect(await server.sql(`SELECT lastSeq FROM client_mutation WHERE clientId = '${idleId}'`)).toEqual([]);

  // Nobody asks the watcher to sync: it resends its change on its own.
  await waitUntil('the watcher resends its change to the restored server', async () => (await server.sql(`SELECT lastSeq FROM client_mutation WHERE clientId = '${watcherId}'`)).length > 0);
  // The busy console has a new change waiting: its push finds the server short of what it had accepted.
  await busy.preRegister('Late', 1);
  await expectConverged(server, adminToken, [busy]);
  // The restored log grows past the idle console's cursor, so only the cursor's fingerprint can tell.
  const cursor = await idle.child.call<{ seq: number; check?: string }>('cursor');
  expect(cursor.check).toMatch(/^[0-9a-f]{16}$/);
  const other = new TestConsole(server.url, adminToken);
  let pads = 0;
  while (Number((await server.sql<{ seq: number }>('SELECT seq FROM sync_counter'))[0]?.seq) <= cursor.seq) {
    pads += 1;
    await other.preRegister({ givenName: `Pad${pads}`, familyName: 'Fault', email: `pad.${pads}@example.com` });
  }
  // The idle console has nothing to push; its pull is told to start again, and first it resends.
  await idle.child.call('startEngine');
  await expectConverged(server, adminToken, [busy, idle, watcher]);

  await expectServerLastSeq(server, busyId, 8);
  await expectServerLastSeq(server, idleId, 2);
  await expectServerLastSeq(server, watcherId, 1);
  for (const [prefix, n] of [['Kept', 2], ['Lost', 3], ['Late', 1], ['Idle', 2], ['Watch', 1]] as const) {
    await expectPatientsOnce(server, prefix, n);
  }
  expect((await busy.outbox()).map((e) => [e.seq, e.status])).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((seq) => [seq, 'applied']));
  expect(await server.sql(`SELECT phone, version FROM patient WHERE id = '${lostId}'`)).toEqual([{ phone: '555-0102', version: 3 }]);
  // Nothing could not be sent again: no skipped range, no notice.
  expect(await server.sql(`SELECT detail FROM audit_event WHERE action = 'sync.skipped'`)).toEqual([]);
});

it('changes no longer kept on the console are skipped, audited and told to staff; the queue is not stuck', { timeout: 120_000 }, async () => {
  const desk = await openConsole('desk1');
  await desk.preRegister('Early', 1);
  await desk.syncNow();
  await server.backUp(backup);
  await desk.preRegister('Gone', 2);
  await desk.syncNow();
  // Entries the server accepted are dropped after a while (here: at once).
  await desk.child.call('pruneApplied');
  await server.restoreFrom(backup);

  await desk.preRegister('Next', 1);
  const status = await desk.syncNow();
  expect(status).toMatchObject({ pending: 0 });
  expect(status.lastError).toMatch(/restored from an older backup\. 2 change\(s\) made on this console up to .* could not be sent again/);
  const clientId = await desk.clientId();
  await expectServerLastSeq(server, clientId, 4);
  expect(await server.sql(`SELECT entityId, detail FROM audit_event WHERE action = 'sync.skipped'`)).toEqual([{ entityId: clientId, detail: 'seqs=2-3' }]);
  await expectPatientsOnce(server, 'Early', 1);
  await expectPatientsOnce(server, 'Next', 1);
  expect(await server.sql(`SELECT id FROM patient WHERE givenName LIKE 'Gone%'`)).toEqual([]);
  // The replica follows the server: the lost patients are gone here too.
  const snapshot = await desk.snapshot();
  expect(Object.values(snapshot.patient).map((p) => (p as { givenName: string }).givenName).sort()).toEqual(['Early1', 'Next1']);
});
