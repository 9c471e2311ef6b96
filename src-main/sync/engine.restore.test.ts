/**
 * A console with nothing waiting still notices a server restored from a backup taken before its
 * last accepted push (here the pull after that push never happened, so its cursor still matches
 * the restored log), and sends that change again.
 */
import { afterEach, expect, it } from 'vitest';
import { restorableClinic } from '../../test/fixtures/restorableClinic';
import { replicaSnapshot, serverSnapshotVia } from '../../test/fixtures/convergence';
import type { FetchLike } from '../net/serverClient';
import { mariaForm, startSignedInCore } from '../testSupport';
import type { TestCore } from '../testSupport';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) {
    await step();
  }
});

it('an empty outbox still asks the server what it holds, and resends what a restore lost', async () => {
  const clinic = await restorableClinic('restore-empty-');
  cleanup.push(() => clinic.dispose());
  let failPulls = false;
  const fetchOrFail: FetchLike = (url, init) =>
    failPulls && String(url).includes('/api/sync/pull') ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init);
  const core: TestCore = await startSignedInCore(clinic.portal.url, 'desk1', 'Staff2Work', { fetch: fetchOrFail });
  cleanup.push(() => core.dispose());
  await core.engine.syncNow();

  // The backup is taken with this console fully in step.
  await clinic.backup();

  // Its change is accepted, but the pull that would move its cursor past it fails.
  failPulls = true;
  const made = await core.services.patients.preRegister(mariaForm({ email: 'lost.once@example.com' }), false);
  const afterPush = await core.engine.syncNow();
  expect(afterPush.pending).toBe(0);
  expect((await serverSnapshotVia(clinic.portal.url, clinic.adminToken)).patient[made.patient.id]).toBeDefined();

  // Restored from the backup: the change is gone from the server, and nothing waits on the console.
  await clinic.restore();
  expect((await serverSnapshotVia(clinic.portal.url, clinic.adminToken)).patient[made.patient.id]).toBeUndefined();

  failPulls = false;
  expect(await core.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });
  const server = await serverSnapshotVia(clinic.portal.url, clinic.adminToken);
  expect(server.patient[made.patient.id]).toMatchObject({ email: 'lost.once@example.com' });
  expect(await replicaSnapshot(core.db)).toEqual(server);
});
