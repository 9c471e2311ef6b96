/** Changes carried by a poke are applied only onto the same history: same seq and same entry there. */
import { afterEach, expect, it } from 'vitest';
import { getCursor, setCursor } from '../../src-main/replica/syncState';
import { applyPoked } from '../../src-main/sync/transfer';
import { startTestCore } from '../../src-main/testSupport';
import type { TestCore } from '../../src-main/testSupport';
import type { SyncPoke } from '../../shared/sync/protocol';
import { replicaSnapshot } from '../fixtures/convergence';

let core: TestCore | null = null;
afterEach(async () => {
  await core?.dispose();
});

const patient = { id: '44444444-4444-4444-8444-444444444444', givenName: 'Poked', familyName: 'Fault', dateOfBirth: '1986-04-12', email: 'poked@example.com', phone: null, version: 1, updatedAt: '2026-11-26T10:00:00.000Z' };

function page(fromCheck: string): NonNullable<SyncPoke['page']> {
  return { from: 5, fromCheck, changes: [{ table: 'patient', seq: 6, op: 'upsert', row: patient }], cursor: { epoch: 'e1', seq: 6, check: 'cccccccccccccccc' } };
}

it('a poke whose entry at the replica’s seq differs (a restored server) is not applied, so the console pulls and resets', async () => {
  core = await startTestCore();
  const c = core;
  await c.db.write((m) => setCursor(m, { epoch: 'e1', seq: 5, check: 'aaaaaaaaaaaaaaaa' }));
  const context = { db: c.db, outbox: c.outbox, changed: () => undefined };

  expect(await applyPoked(context, 'e1', page('bbbbbbbbbbbbbbbb'))).toBe(false);
  expect(await c.db.read(getCursor)).toEqual({ epoch: 'e1', seq: 5, check: 'aaaaaaaaaaaaaaaa' });
  expect((await replicaSnapshot(c.db)).patient).toEqual({});

  expect(await applyPoked(context, 'e1', page('aaaaaaaaaaaaaaaa'))).toBe(true);
  expect(await c.db.read(getCursor)).toEqual({ epoch: 'e1', seq: 6, check: 'cccccccccccccccc' });
  expect(Object.keys((await replicaSnapshot(c.db)).patient)).toEqual([patient.id]);
});
