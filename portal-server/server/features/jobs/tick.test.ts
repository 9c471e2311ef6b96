/**
 * Background jobs run once per tick across instances: of several instances (here, connections to
 * one database) ticking at once, one claims the tick. On SQLite here, on PostgreSQL in npm run test:postgres.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Database } from '../../../../shared/node/db';
import { SERVER_ENTITIES } from '../../../../shared/node/entities/server';
import { SERVER_MIGRATIONS } from '../../../../shared/node/migrations/server';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { startTestPortal } from '../../../../test/fixtures/portal';
import { claimTick } from './tick';

let portal: TestPortal;
const others: Database[] = [];

beforeAll(async () => {
  portal = await startTestPortal();
  const config = portal.handle.context.config;
  for (let i = 0; i < 3; i += 1) {
    others.push(await Database.open({ sqlitePath: join(config.dataDir, 'portal.sqlite'), databaseUrl: config.databaseUrl, entities: SERVER_ENTITIES, migrations: SERVER_MIGRATIONS }));
  }
});
afterAll(async () => {
  await Promise.all(others.map((db) => db.close()));
  await portal.stop();
});

it('gives each tick to one of four instances ticking at once, and the next period to one again', async () => {
  const dbs = [portal.handle.context.db, ...others];
  const period = 60_000;
  const t0 = new Date(Date.UTC(2031, 0, 1, 12, 0, 0));
  const first = await Promise.all(dbs.map((db) => claimTick(db, 'test-job', t0, period)));
  expect(first.filter(Boolean)).toHaveLength(1);
  // Instances whose timers drift by 20 s find the tick taken.
  const drifted = await Promise.all(dbs.map((db) => claimTick(db, 'test-job', new Date(t0.getTime() + 20_000), period)));
  expect(drifted.filter(Boolean)).toHaveLength(0);
  // A period later, one of them runs it again.
  const next = await Promise.all(dbs.map((db) => claimTick(db, 'test-job', new Date(t0.getTime() + period), period)));
  expect(next.filter(Boolean)).toHaveLength(1);
  // Another job has its own ticks.
  expect(await claimTick(dbs[2] as Database, 'other-job', t0, period)).toBe(true);
});
