/**
 * Issue 18 item 6: PostgreSQL backups are pg_dump and pg_restore, run here exactly as
 * docs/deploy.md "Backups" tells a clinic to run them — the real tools, on a running clinic's
 * database — and the server started on what came back. Runs in the PostgreSQL test run only
 * (`npm run test:postgres`, or PORTAL_TEST_DATABASE=postgres with PORTAL_TEST_POSTGRES_URL).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/faults/harness/processes';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicTeam, registerPatient } from '../../../../test/fixtures/patients';
import { onPostgres, startTestPortal, testDatabase } from '../../../../test/fixtures/portal';
import type { TestPortal } from '../../../../test/fixtures/portal';

/** Debian's newest PostgreSQL tools (the version the test cluster runs), else whatever PATH has. */
function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions[0] ? join(root, versions[0], 'bin', name) : name;
}

/** Runs a PostgreSQL tool as an operator would; a missing tool or a failure fails the test with its stderr. */
function run(tool: 'pg_dump' | 'pg_restore', args: string[]): void {
  const result = spawnSync(pgTool(tool), args, { encoding: 'utf8', timeout: 120_000 });
  if (result.error || result.status !== 0) {
    throw new Error(`${tool} failed (${result.error?.message ?? `exit ${String(result.status)}`}): ${result.stderr ?? ''}`);
  }
}

async function rowsOf<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe.skipIf(!onPostgres)('PostgreSQL backup with pg_dump and pg_restore (docs/deploy.md)', () => {
  const dir = tempDir('portal-pgdump-');
  const dumpFile = join(dir.path, 'portal.dump');
  // Instances (and a restored server) must share the SECRET: sessions and tokens are HMACs with it.
  const secret = randomUUID() + randomUUID();
  let source: Awaited<ReturnType<typeof testDatabase>>;
  let restored: Awaited<ReturnType<typeof testDatabase>>;
  let portal: TestPortal;
  let team: ClinicTeam;
  let patient: PatientClient;
  let restoredPortal: TestPortal | null = null;

  beforeAll(async () => {
    source = await testDatabase(`pgdump-source-${randomUUID()}`);
    restored = await testDatabase(`pgdump-restored-${randomUUID()}`);
    portal = await startTestPortal({ dataDir: join(dir.path, 'source'), config: { databaseUrl: source.url, secret } });
    team = await clinicTeam(portal);
    patient = await registerPatient(portal, team.desk.console, { givenName: 'Dora', familyName: 'Dumpling' });
    const sent = await patient.post('/api/messages', { subject: 'Before the backup', body: 'Written before pg_dump ran.' });
    expect(sent.status).toBeLessThan(300);
  }, 120_000);

  afterAll(async () => {
    // A stop that fails (e.g. a portal a failed test already stopped) must not keep the databases.
    await restoredPortal?.stop().catch(() => undefined);
    await portal?.stop().catch(() => undefined);
    await source?.drop();
    await restored?.drop();
    dir.remove();
  }, 60_000);

  it('dumps a running clinic, restores it into a new database, and the server runs on it', async () => {
    const patientsBefore = await rowsOf<{ n: string }>(source.url, 'SELECT count(*) AS n FROM patient');
    expect(Number(patientsBefore[0]?.n)).toBeGreaterThan(0);
    const headBefore = await rowsOf<{ seq: number }>(source.url, 'SELECT max(seq) AS seq FROM change_log');

    // docs/deploy.md "Backups", PostgreSQL: the dump, while the server runs.
    run('pg_dump', ['--format=custom', `--file=${dumpFile}`, source.url]);
    // Written after the dump: the restore must not have it.
    const after = await patient.post('/api/messages', { subject: 'After the backup', body: 'Written after pg_dump ran.' });
    expect(after.status).toBeLessThan(300);

    // ... and the restore, into a database of its own (the doc's flags).
    run('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${restored.url}`, dumpFile]);

    expect(await rowsOf(restored.url, 'SELECT count(*) AS n FROM patient')).toEqual(patientsBefore);
    const dora = await rowsOf<{ givenName: string; familyName: string }>(restored.url, 'SELECT "givenName", "familyName" FROM patient WHERE id = $1', [patient.patientId]);
    expect(dora).toEqual([{ givenName: 'Dora', familyName: 'Dumpling' }]);
    expect(await rowsOf(restored.url, 'SELECT max(seq) AS seq FROM change_log')).toEqual(headBefore);
    const subjects = (await rowsOf<{ subject: string }>(restored.url, 'SELECT subject FROM message_thread ORDER BY subject')).map((r) => r.subject);
    expect(subjects).toEqual(['Before the backup']);

    // The server starts on the restored database (migrations find nothing to do) and the patient's
    // session, kept in the database and checked with the same SECRET, still works there.
    restoredPortal = await startTestPortal({ dataDir: join(dir.path, 'restored'), config: { databaseUrl: restored.url, secret } });
    const health = await fetch(`${restoredPortal.url}/healthz`).then((r) => r.json() as Promise<{ setUp: boolean }>);
    expect(health.setUp).toBe(true);
    const threads = await fetch(`${restoredPortal.url}/api/messages`, { headers: { cookie: patient.cookie } });
    expect(threads.status).toBe(200);
    const listed = JSON.stringify(await threads.json());
    expect(listed).toContain('Before the backup');
    expect(listed).not.toContain('After the backup');
  }, 120_000);

  it('restores over the existing database with the server stopped (the other way the doc gives)', async () => {
    // Needs the dump of the test above; the source database has the message written after it.
    expect(existsSync(dumpFile)).toBe(true);
    await portal.stop();
    expect((await rowsOf<{ subject: string }>(source.url, 'SELECT subject FROM message_thread ORDER BY subject')).map((r) => r.subject)).toEqual(['After the backup', 'Before the backup']);
    run('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${source.url}`, dumpFile]);
    expect((await rowsOf<{ subject: string }>(source.url, 'SELECT subject FROM message_thread ORDER BY subject')).map((r) => r.subject)).toEqual(['Before the backup']);
    portal = await startTestPortal({ dataDir: join(dir.path, 'source'), config: { databaseUrl: source.url, secret } });
    const threads = await fetch(`${portal.url}/api/messages`, { headers: { cookie: patient.cookie } });
    expect(threads.status).toBe(200);
    expect(JSON.stringify(await threads.json())).toContain('Before the backup');
  }, 120_000);
});
