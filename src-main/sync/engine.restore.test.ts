/**
 * A console with nothing waiting still notices a server restored from a backup taken before its
 * last accepted push (here the pull after that push never happened, so its cursor still matches
 * the restored log), and sends that change again.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { TEST_CLINIC, addStaff, signInStaff, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import { replicaSnapshot, serverSnapshotVia } from '../../test/fixtures/convergence';
import type { FetchLike } from '../net/serverClient';
import { mariaForm, startSignedInCore, tempDir } from '../testSupport';
import type { TestCore } from '../testSupport';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) {
    await step();
  }
});

it('an empty outbox still asks the server what it holds, and resends what a restore lost', async () => {
  const root = tempDir('restore-empty-');
  cleanup.push(() => root.remove());
  const dataDir = join(root.path, 'data');
  const backupDir = join(root.path, 'backup');
  let portal: TestPortal = await startTestPortal({ dataDir });
  const port = portal.handle.port;
  cleanup.push(() => portal.stop());
  const adminToken = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  await addStaff(portal.url, adminToken, 'desk1', 'receptionist', 'Staff2Work');

  let failPulls = false;
  const fetchOrFail: FetchLike = (url, init) =>
    failPulls && String(url).includes('/api/sync/pull') ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init);
  const core: TestCore = await startSignedInCore(portal.url, 'desk1', 'Staff2Work', { fetch: fetchOrFail });
  cleanup.push(() => core.dispose());
  await core.engine.syncNow();

  // The backup is taken with this console fully in step.
  await portal.stop();
  cpSync(dataDir, backupDir, { recursive: true });
  portal = await startTestPortal({ dataDir, config: { port } });

  // Its change is accepted, but the pull that would move its cursor past it fails.
  failPulls = true;
  const made = await core.services.patients.preRegister(mariaForm({ email: 'lost.once@example.com' }), false);
  const afterPush = await core.engine.syncNow();
  expect(afterPush.pending).toBe(0);
  expect((await serverSnapshotVia(portal.url, adminToken)).patient[made.patient.id]).toBeDefined();

  // Restored from the backup: the change is gone from the server, and nothing waits on the console.
  await portal.stop();
  rmSync(dataDir, { recursive: true, force: true });
  cpSync(backupDir, dataDir, { recursive: true });
  portal = await startTestPortal({ dataDir, config: { port } });
  expect((await serverSnapshotVia(portal.url, adminToken)).patient[made.patient.id]).toBeUndefined();

  failPulls = false;
  expect(await core.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });
  const server = await serverSnapshotVia(portal.url, adminToken);
  expect(server.patient[made.patient.id]).toMatchObject({ email: 'lost.once@example.com' });
  expect(await replicaSnapshot(core.db)).toEqual(server);
});
