/**
 * A replica restored from an old copy, or desks cloned from one image (sync-loss hole 2): the
 * client id and seq counter live in the replica file, so the copy reuses seqs the server already
 * holds. The server answers seq_reused (another intent under that seq), and the replica takes a
 * new client id, sends its waiting changes again, downloads everything afresh and tells staff.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { PatientEntity } from '../../shared/node/entities/server';
import { replicaSnapshot, serverSnapshotVia } from '../../test/fixtures/convergence';
import { TEST_CLINIC, addStaff, signInStaff, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import { getState } from '../replica/syncState';
import { mariaForm, startSignedInCore, startTestCore, tempDir } from '../testSupport';
import type { TestCore } from '../testSupport';
import { portable } from '../../test/fixtures/sql';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) {
    await step();
  }
});

async function clinic(): Promise<{ portal: TestPortal; adminToken: string; root: string }> {
  const root = tempDir('rewound-');
  cleanup.push(() => root.remove());
  const portal = await startTestPortal({ dataDir: join(root.path, 'server') });
  cleanup.push(() => portal.stop());
  const adminToken = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  await addStaff(portal.url, adminToken, 'desk1', 'receptionist', 'Staff2Work');
  return { portal, adminToken, root: root.path };
}

async function open(portal: TestPortal, dataDir: string): Promise<TestCore> {
  const core = await startTestCore({ serverUrl: portal.url, dataDir });
  cleanup.push(() => core.close());
  return core;
}

const emailsOnServer = async (portal: TestPortal) => (await portal.handle.context.db.read((m) => m.find(PatientEntity))).map((p) => p.email).sort();

it('a replica restored from an old copy does not lose the change it makes next: it takes a new id and ends equal to the server', async () => {
  const { portal, adminToken, root } = await clinic();
  const desk = join(root, 'desk');
  const first = await startSignedInCore(portal.url, 'desk1', 'Staff2Work', { dataDir: desk });
  await first.close();
  cpSync(desk, join(root, 'old-copy'), { recursive: true });

  const before = await open(portal, desk);
  const oldId = await before.db.read((m) => getState(m, 'clientId'));
  await before.services.patients.preRegister(mariaForm({ givenName: 'Before', email: 'before.restore@example.com' }), false);
  expect((await before.engine.syncNow()).pending).toBe(0);
  await before.close();

  // The profile is restored from the copy made before that change: the replica's counter is back at 0.
  cpSync(join(root, 'old-copy'), desk, { recursive: true });
  const restored = await open(portal, desk);
  await restored.services.patients.preRegister(mariaForm({ givenName: 'After', email: 'after.restore@example.com' }), false);
  const status = await restored.engine.syncNow();

  expect(status).toMatchObject({ pending: 0, rejected: [] });
  expect(status.lastError).toContain('syncs under a new identity');
  expect(await restored.db.read((m) => getState(m, 'clientId'))).not.toBe(oldId);
  expect(await emailsOnServer(portal)).toEqual(['after.restore@example.com', 'before.restore@example.com']);
  expect(await replicaSnapshot(restored.db)).toEqual(await serverSnapshotVia(portal.url, adminToken));
});

it('two desks cloned from one image both keep their changes: the second to push takes a new id', async () => {
  const { portal, adminToken, root } = await clinic();
  const image = join(root, 'image');
  const seeded = await startSignedInCore(portal.url, 'desk1', 'Staff2Work', { dataDir: image });
  await seeded.close();
  cpSync(image, join(root, 'clone-a'), { recursive: true });
  cpSync(image, join(root, 'clone-b'), { recursive: true });
  const [a, b] = [await open(portal, join(root, 'clone-a')), await open(portal, join(root, 'clone-b'))];

  await a.services.patients.preRegister(mariaForm({ givenName: 'Clone', familyName: 'Alpha', email: 'clone.a@example.com' }), false);
  await b.services.patients.preRegister(mariaForm({ givenName: 'Clone', familyName: 'Beta', email: 'clone.b@example.com' }), false);
  expect((await a.engine.syncNow()).pending).toBe(0);
  expect((await b.engine.syncNow()).pending).toBe(0);
  await a.engine.syncNow();

  expect(await emailsOnServer(portal)).toEqual(['clone.a@example.com', 'clone.b@example.com']);
  const ids = [await a.db.read((m) => getState(m, 'clientId')), await b.db.read((m) => getState(m, 'clientId'))];
  expect(new Set(ids).size).toBe(2);
  const server = await serverSnapshotVia(portal.url, adminToken);
  expect(await replicaSnapshot(a.db)).toEqual(server);
  expect(await replicaSnapshot(b.db)).toEqual(server);
});

it("a restored replica moves every token it holds to its new id: a colleague's waiting change still goes in their name", async () => {
  const { portal, adminToken, root } = await clinic();
  await addStaff(portal.url, adminToken, 'desk2', 'receptionist', 'Staff2Work');
  const desk = join(root, 'desk');
  const first = await startSignedInCore(portal.url, 'desk1', 'Staff2Work', { dataDir: desk });
  await first.close();
  cpSync(desk, join(root, 'old-copy'), { recursive: true });
  const before = await open(portal, desk);
  await before.services.patients.preRegister(mariaForm({ givenName: 'Before', email: 'before.held@example.com' }), false);
  expect((await before.engine.syncNow()).pending).toBe(0);
  await before.close();

  cpSync(join(root, 'old-copy'), desk, { recursive: true });
  // No sync until desk2 has signed in: desk1's token is then held for their waiting change.
  let syncing = false;
  const gated: typeof fetch = (input, init) => (!syncing && String(input).includes('/api/sync/') ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init));
  const restored = await startTestCore({ serverUrl: portal.url, dataDir: desk, fetch: gated });
  cleanup.push(() => restored.close());
  await restored.services.patients.preRegister(mariaForm({ givenName: 'Held', email: 'held.token@example.com' }), false);
  await restored.services.auth.signIn({ username: 'desk2', password: 'Staff2Work' });
  syncing = true;
  const status = await restored.engine.syncNow();

  expect(status).toMatchObject({ pending: 0, rejected: [], held: [] });
  expect(await emailsOnServer(portal)).toEqual(['before.held@example.com', 'held.token@example.com']);
  const made = await portal.handle.context.db.read((m) =>
    m.query(portable(portal.handle.context.db.engine, `SELECT s.username FROM audit_event a JOIN staff_user s ON s.id = a.actorId JOIN patient p ON p.id = a.entityId WHERE a.action = 'patient.pre_register' AND p.email = 'held.token@example.com'`)),
  );
  expect(made).toEqual([{ username: 'desk1' }]);
});
