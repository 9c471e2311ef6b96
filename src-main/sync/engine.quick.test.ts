/** A sync with nothing to push goes straight to the pull; a local write never gets lost by that shortcut. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TEST_CLINIC, TestConsole, signInStaff, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import type { FetchLike } from '../services/serverClient';
import { mariaForm, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

let portal: TestPortal;
let core: TestCore;
let adminToken = '';
/** While set, pull requests wait for it: a sync can be held in the middle. */
let gate: Promise<void> | null = null;
const paths: string[] = [];

const gatedFetch: FetchLike = async (input, init) => {
  const path = new URL(String(input)).pathname;
  paths.push(path);
  if (path === '/api/sync/pull' && gate) {
    await gate;
  }
  return fetch(input, init);
};

beforeEach(async () => {
  portal = await startTestPortal();
  adminToken = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  core = await startTestCore({ serverUrl: portal.url, fetch: gatedFetch });
  await core.services.auth.signIn({ username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword });
  await core.engine.syncNow();
});
afterEach(async () => {
  gate = null;
  await core.dispose();
  await portal.stop();
});

const serverPatients = (familyName: string) => portal.handle.context.db.read((m) => m.query('SELECT id FROM patient WHERE familyName = ?', [familyName]) as Promise<unknown[]>);

describe('syncs with nothing to push', () => {
  it('pull another desk’s change without looking at the outbox first', async () => {
    paths.length = 0;
    const takeBatch = vi.spyOn(core.outbox, 'takeBatch');
    const other = new TestConsole(portal.url, adminToken);
    const { patientId } = await other.preRegister({ givenName: 'Pia', familyName: 'Poked' });
    await expect.poll(() => core.services.patients.get(patientId).then((p) => p.patient.familyName).catch(() => null)).toBe('Poked');
    expect(paths).toContain('/api/sync/pull');
    expect(paths).not.toContain('/api/sync/push');
    expect(takeBatch).not.toHaveBeenCalled();
    // A local change makes the next sync a full one again.
    await core.services.patients.preRegister(mariaForm({ familyName: 'Local' }), false);
    expect(await core.engine.syncNow()).toMatchObject({ pending: 0 });
    expect(takeBatch).toHaveBeenCalled();
    expect(paths).toContain('/api/sync/push');
  });

  it('a change made here while a sync is under way is pushed by the next sync', async () => {
    // A change waiting here makes the next sync a full one (push, then pull): hold it at its pull.
    await core.services.patients.preRegister(mariaForm({ familyName: 'First' }), false);
    let open = (): void => undefined;
    gate = new Promise((resolve) => (open = resolve));
    paths.length = 0;
    const syncing = core.engine.syncNow();
    await expect.poll(() => paths.filter((p) => p === '/api/sync/pull').length).toBeGreaterThan(0);
    expect(paths).toContain('/api/sync/push');
    const made = await core.services.patients.preRegister(mariaForm({ familyName: 'Midsync' }), false);
    gate = null;
    open();
    await syncing;
    const status = await core.engine.syncNow();
    expect(status).toMatchObject({ pending: 0, lastError: null });
    expect((await core.services.patients.get(made.patient.id)).patient.version).toBeGreaterThan(0);
    expect(await serverPatients('Midsync')).toHaveLength(1);
    expect(await serverPatients('First')).toHaveLength(1);
  });
});
