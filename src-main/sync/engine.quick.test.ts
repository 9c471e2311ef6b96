/** A sync with nothing to push goes straight to the pull; a local write never gets lost by that shortcut. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TEST_CLINIC, TestConsole, signInStaff, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import { LocalPatientEntity } from '../replica/entities';
import { getCursor } from '../replica/syncState';
import type { FetchLike } from '../net/serverClient';
import { patientRow, testId, upserts } from '../testRows';
import { mariaForm, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';
import { applyPoked } from './transfer';
import { portable } from '../../test/fixtures/sql';

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

const serverPatients = (familyName: string) => portal.handle.context.db.read((m) => m.query(portable(portal.handle.context.db.engine, 'SELECT id FROM patient WHERE familyName = ?'), [familyName]) as Promise<unknown[]>);

describe('syncs with nothing to push', () => {
  it('show another desk’s change from the poke that carries it: no pull, no look at the outbox', async () => {
    const other = new TestConsole(portal.url, adminToken);
    const { patientId } = await other.preRegister({ givenName: 'Pia', familyName: 'Poked' });
    await portal.handle.flushMail();
    await expect.poll(() => core.services.patients.get(patientId).then((p) => p.invitation?.status).catch(() => null)).toBe('sent');
    await expect.poll(() => core.engine.status().then((s) => s.syncing)).toBe(false);
    paths.length = 0;
    const takeBatch = vi.spyOn(core.outbox, 'takeBatch');
    const res = await other.push([other.mutation('updatePatient', { patientId, baseVersion: 1, changes: { familyName: 'Moved' } })]);
    expect(res.body.outcomes[0]?.status).toBe('applied');
    await expect.poll(() => core.services.patients.get(patientId).then((p) => p.patient.familyName)).toBe('Moved');
    expect(paths).toEqual([]);
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

  it('a poke page that does not start at this replica’s cursor is not applied (the console pulls instead)', async () => {
    const before = await core.db.read(getCursor);
    const stray = patientRow({ id: testId(), givenName: 'Stray' });
    const c = { db: core.db, outbox: core.outbox, changed: () => undefined };
    // The page carries the fingerprint of its first entry, as the server's pokes do (one without it is never applied).
    const page = (from: number) => ({ from, fromCheck: before.check, changes: upserts('patient', [stray]), cursor: { epoch: before.epoch, seq: before.seq + 5 } });
    expect(await applyPoked(c, before.epoch, page(before.seq - 1))).toBe(false);
    expect(await applyPoked(c, 'another-epoch', page(before.seq))).toBe(false);
    expect(await core.db.read(getCursor)).toEqual(before);
    expect(await core.db.read((m) => m.countBy(LocalPatientEntity, { id: stray.id }))).toBe(0);
    expect(await applyPoked(c, before.epoch, page(before.seq))).toBe(true);
    expect((await core.db.read(getCursor)).seq).toBe(before.seq + 5);
  });
});
