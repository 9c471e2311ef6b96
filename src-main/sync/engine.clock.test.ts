/**
 * Clocks and old cursors (sync-loss hole 7): a console clock that jumps ahead must not empty what
 * the console keeps for resending after a server restore, and a cursor stored before cursors had
 * fingerprints must not take a restored server's changes as if nothing had happened.
 */
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Database } from '../../shared/node/db';
import { restorableClinic } from '../../test/fixtures/restorableClinic';
import { replicaSnapshot, serverSnapshotVia } from '../../test/fixtures/convergence';
import { REPLICA_ENTITIES } from '../replica/entities';
import { REPLICA_MIGRATIONS } from '../replica/migrations';
import { outbox } from '../replica/outbox';
import { openReplica } from '../replica/replica';
import { getCursor, setCursor } from '../replica/syncState';
import { mariaForm, startSignedInCore, tempDir } from '../testSupport';
import type { TestCore } from '../testSupport';
import { applyPoked } from './transfer';

const DAY = 24 * 3600_000;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) {
    await step();
  }
});

it('a console clock that jumps 40 days ahead keeps what it must resend, and a restore loses nothing', async () => {
  const clinic = await restorableClinic('clock-jump-');
  cleanup.push(() => clinic.dispose());
  let offset = 0;
  const core: TestCore = await startSignedInCore(clinic.portal.url, 'desk1', 'Staff2Work', { now: () => new Date(Date.now() + offset) });
  cleanup.push(() => core.dispose());
  await clinic.backup();

  const before = await core.services.patients.preRegister(mariaForm({ givenName: 'Before', email: 'before.jump@example.com' }), false);
  expect((await core.engine.syncNow()).pending).toBe(0);
  // The desk's clock jumps ahead (a dead CMOS battery, a wrong NTP answer); the next push prunes.
  offset = 40 * DAY;
  const after = await core.services.patients.preRegister(mariaForm({ givenName: 'After', email: 'after.jump@example.com' }), false);
  expect((await core.engine.syncNow()).pending).toBe(0);
  const kept = await core.db.read((m) => outbox.settledAbove(m, 0, 1_000_000));
  expect(kept.map((r) => JSON.parse(r.args).email)).toEqual(['before.jump@example.com', 'after.jump@example.com']);

  // The server is restored from the backup taken before both changes: both come back.
  await clinic.restore();
  expect(await core.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });
  const server = await serverSnapshotVia(clinic.portal.url, clinic.adminToken);
  expect(server.patient[before.patient.id]).toMatchObject({ email: 'before.jump@example.com' });
  expect(server.patient[after.patient.id]).toMatchObject({ email: 'after.jump@example.com' });
  expect(await replicaSnapshot(core.db)).toEqual(server);
});

it('a cursor stored without a fingerprint is replaced at the upgrade, so the next pull starts afresh and no poke page fits it', async () => {
  const dir = tempDir('old-cursor-');
  cleanup.push(() => dir.remove());
  const path = join(dir.path, 'console.sqlite');
  // A replica as the console before fingerprints left it: a cursor with an epoch and a seq only.
  const old = await Database.open({ sqlitePath: path, entities: REPLICA_ENTITIES, migrations: REPLICA_MIGRATIONS.slice(0, 3) });
  await old.write((m) => m.query(`INSERT INTO sync_state (key, value) VALUES ('cursorEpoch', ?), ('cursorSeq', ?)`, [JSON.stringify('epoch-1'), JSON.stringify(42)]));
  await old.close();

  const db = await openReplica(path);
  cleanup.push(() => db.close());
  const cursor = await db.read(getCursor);
  expect(cursor.seq).toBe(42);
  expect(cursor.epoch).not.toBe('epoch-1');

  // Even a cursor without a fingerprint that slipped through takes no poke page: it pulls instead.
  await db.write((m) => setCursor(m, { epoch: 'epoch-1', seq: 42 }));
  const page = { from: 42, fromCheck: 'abc123', changes: [], cursor: { epoch: 'epoch-1', seq: 43, check: 'def456' } };
  expect(await applyPoked({ db, outbox, changed: () => undefined }, 'epoch-1', page)).toBe(false);
  expect(await db.read(getCursor)).toMatchObject({ epoch: 'epoch-1', seq: 42 });
});
