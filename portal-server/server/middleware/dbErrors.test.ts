import { join } from 'node:path';
import { Client } from 'pg';
import sqlite3 from 'sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../../shared/api/errors';
import type { TestPortal } from '../../../test/fixtures/portal';
import { TEST_CLINIC, api, onPostgres, startTestPortal, testPostgresAdminUrl } from '../../../test/fixtures/portal';
import { isDatabaseUnavailable } from './dbErrors';

/**
 * Issue 18 item 4: a database that goes away mid-request answers 503 with Retry-After and writes
 * nothing half-done; it comes back without a restart. Real databases: SQLite locked by another
 * process-level connection, PostgreSQL with the portal's connections killed and refused.
 */
let portal: TestPortal | undefined;
afterEach(async () => {
  await portal?.stop();
  portal = undefined;
});

const signInStaff = () =>
  api<ApiErrorResponse & { token?: string }>(portal?.url ?? '', '/api/staff/sign-in', { body: { username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword, deviceName: 'Database away test' } });
const devices = async (): Promise<number> => Number((await portal?.handle.context.db.read((m) => m.query('SELECT COUNT(*) AS n FROM device')))?.[0]?.n);

describe('which errors mean the database is away', () => {
  it('connection and availability codes do, a constraint or a syntax error does not', () => {
    const driver = (code: string) => Object.assign(new Error('x'), { name: 'QueryFailedError', driverError: { code } });
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '53300', 'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR_WRITE']) {
      expect(isDatabaseUnavailable(driver(code)), code).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    for (const code of ['23505', '42601', 'SQLITE_CONSTRAINT', 'SQLITE_ERROR']) {
      expect(isDatabaseUnavailable(driver(code)), code).toBe(false);
    }
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  });
});

describe.skipIf(onPostgres)('SQLite held by another connection', () => {
  it('answers 503 with Retry-After once its busy timeout passes, writes nothing, and serves again when the lock goes', async () => {
    portal = await startTestPortal();
    const before = await devices();
    const other = new sqlite3.Database(join(portal.dataDir, 'portal.sqlite'));
    const exec = (sql: string) => new Promise<void>((resolve, reject) => other.exec(sql, (err) => (err ? reject(err) : resolve())));
    try {
      await exec('BEGIN EXCLUSIVE');
      const refused = await signInStaff();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.body.error.code).toBe('offline');
      const ready = await api<{ ready: boolean }>(portal.url, '/readyz');
      expect(ready.status).toBe(200); // reads still work beside another writer (WAL)
      await exec('COMMIT');
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
    expect(await devices()).toBe(before);
    expect((await signInStaff()).status).toBe(200);
    expect(await devices()).toBe(before + 1);
  }, 30_000);
});

describe.skipIf(!onPostgres)('PostgreSQL going away', () => {
  it('answers 503 with Retry-After while its connections are killed and refused, writes nothing, and comes back without a restart', async () => {
    portal = await startTestPortal();
    const database = new URL(portal.handle.context.config.databaseUrl ?? '').pathname.slice(1);
    const admin = new Client({ connectionString: testPostgresAdminUrl });
    await admin.connect();
    try {
      const before = await devices();
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
      const refused = await signInStaff();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.body.error.code).toBe('offline');
      const ready = await api(portal.url, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('5');

      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      expect(await devices()).toBe(before);
      expect((await signInStaff()).status).toBe(200);
      expect(await devices()).toBe(before + 1);
      expect((await api(portal.url, '/readyz')).status).toBe(200);
    } finally {
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
    }
  }, 30_000);
});
