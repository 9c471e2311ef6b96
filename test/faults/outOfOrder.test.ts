/**
 * Replies arriving out of order: two pushes of the same waiting changes are in flight at once and
 * the answer to the first arrives after the second's was recorded. The late answer changes nothing:
 * no error, no status goes back, the refused change is shown once, and the replica ends equal.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestCore, mariaForm } from '../../src-main/testSupport';
import type { TestCore } from '../../src-main/testSupport';
import { getState } from '../../src-main/replica/syncState';
import { pushOutbox } from '../../src-main/sync/transfer';
import type { TransferContext } from '../../src-main/sync/transfer';
import type { FetchLike } from '../../src-main/net/serverClient';
import { TEST_CLINIC, addStaff, signInStaff } from '../fixtures/portal';
import { deskOf } from '../fixtures/patients';
import { replicaSnapshot, serverSnapshotVia } from '../fixtures/convergence';
import { expectPatientsOnce, expectServerLastSeq } from './harness/checks';
import { ServerProcess, tempDir } from './harness/processes';

const serverDir = tempDir('fault-order-');
let server: ServerProcess;
let adminToken: string;
let core: TestCore;

beforeAll(async () => {
  server = await new ServerProcess(serverDir.path).start();
  adminToken = (await signInStaff(server.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  await addStaff(server.url, adminToken, 'desk1', 'receptionist', 'Staff2Work');
}, 60_000);
afterAll(async () => {
  await core?.dispose();
  await server.stop();
  serverDir.remove();
});

it('the first push’s answer arriving after the second’s is harmless', async () => {
  let secondRecorded!: () => void;
  const recorded = new Promise<void>((resolve) => (secondRecorded = resolve));
  let pushes = 0;
  const lateFirstReply: FetchLike = async (input, init) => {
    const res = await fetch(input, init);
    if (String(input).includes('/api/sync/push') && ++pushes === 1) {
      await recorded;
    }
    return res;
  };
  core = await startTestCore({ serverUrl: server.url, fetch: lateFirstReply });
  await core.services.auth.signIn({ username: 'desk1', password: 'Staff2Work' });
  // Another desk's patient, whose email this console will change from a stale copy (refused).
  const other = deskOf(server.url, await signInStaff(server.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword));
  const { patientId } = await other.console.preRegister({ givenName: 'Stale', familyName: 'Fault', email: 'stale.1@example.com' });
  await core.engine.syncNow();
  await core.engine.stop();
  await other.apply('updatePatient', { patientId, baseVersion: 1, changes: { email: 'stale.elsewhere@example.com' } });
  for (const i of [1, 2, 3]) {
    await core.services.patients.preRegister(mariaForm({ givenName: `Order${i}`, familyName: 'Fault', email: `order.${i}@example.com` }), true);
  }
  await core.services.patients.update(patientId, mariaForm({ givenName: 'Stale', familyName: 'Fault', email: 'stale.here@example.com' }));
  pushes = 0;

  const token = (await core.session.token()) ?? '';
  const context: TransferContext = { db: core.db, outbox: core.outbox, serverUrl: server.url, fetch: lateFirstReply, token, signal: new AbortController().signal, now: () => new Date(), changed: () => undefined };
  const credentials = { tokenFor: async () => ({ token, held: false }), dropHeld: async () => undefined, held: async () => [] };
  const clientId = (await core.db.read((m) => getState(m, 'clientId'))) ?? '';
  const outbox = (): Promise<unknown> => core.db.read((m) => m.query(`SELECT seq, status FROM outbox ORDER BY seq`));
  const first = pushOutbox(context, clientId, 100, async () => undefined, credentials);
  const second = pushOutbox(context, clientId, 100, async () => undefined, credentials);
  await expect(second).resolves.toBeUndefined();
  const settled = [
    { seq: 1, status: 'applied' },
    { seq: 2, status: 'applied' },
    { seq: 3, status: 'applied' },
    { seq: 4, status: 'rejected' },
  ];
  expect(await outbox()).toEqual(settled);
  secondRecorded();
  await expect(first).resolves.toBeUndefined();
  expect(await outbox()).toEqual(settled);
  await expectServerLastSeq(server, clientId, 4);
  await expectPatientsOnce(server, 'Order', 3);

  core.engine.start();
  const status = await core.engine.syncNow();
  expect(status).toMatchObject({ pending: 0, lastError: null });
  expect(status.rejected.map((r) => r.seq)).toEqual([4]);
  expect(await replicaSnapshot(core.db)).toEqual(await serverSnapshotVia(server.url, adminToken));
});
