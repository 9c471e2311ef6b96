/**
 * A console replica of the previous schema, with changes still waiting in its outbox, opened by
 * the current code: the migrations run and every waiting change arrives exactly once.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { REPLICA_ENTITIES } from '../../src-main/replica/entities';
import { REPLICA_MIGRATIONS } from '../../src-main/replica/migrations';
import { TEST_CLINIC, addStaff, signInStaff } from '../fixtures/portal';
import { expectConverged, expectPatientsOnce, expectServerLastSeq } from './harness/checks';
import { ConsoleProcess, ServerProcess, tempDir } from './harness/processes';

const serverDir = tempDir('fault-upgrade-');
const consoleDir = tempDir('fault-console-');
let server: ServerProcess;
let adminToken: string;
let upgraded: ConsoleProcess | null = null;

beforeAll(async () => {
  server = await new ServerProcess(serverDir.path).start();
  adminToken = (await signInStaff(server.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  await addStaff(server.url, adminToken, 'desk1', 'receptionist', 'Staff2Work');
}, 60_000);
afterAll(async () => {
  await upgraded?.child.kill();
  await server.stop();
  serverDir.remove();
  consoleDir.remove();
});

/** Undoes the newest replica migration: the file is then as the previous console version left it. */
async function openAsPreviousVersion(sqlitePath: string): Promise<DataSource> {
  const ds = new DataSource({ type: 'sqlite', database: sqlitePath, entities: REPLICA_ENTITIES, migrations: REPLICA_MIGRATIONS, migrationsRun: false, synchronize: false });
  await ds.initialize();
  await ds.undoLastMigration({ transaction: 'each' });
  return ds;
}

/** What the previous version wrote for an offline pre-registration with an invitation (no rowKeys column then). */
async function queueOldPreRegistration(ds: DataSource, seq: number, staffUserId: string, i: number): Promise<void> {
  const patientId = randomUUID();
  const invitationId = randomUUID();
  const now = new Date().toISOString();
  const args = { patientId, givenName: `Upgrade${i}`, familyName: 'Fault', dateOfBirth: '1986-04-12', email: `upgrade.${i}@example.com`, phone: '', invitationId };
  await ds.query(`INSERT INTO patient (id, givenName, familyName, dateOfBirth, email, phone, version, updatedAt, searchText, serverCopy) VALUES (?, ?, 'Fault', '1986-04-12', ?, NULL, 0, ?, ?, NULL)`, [patientId, args.givenName, args.email, now, `upgrade${i} fault`]);
  await ds.query(`INSERT INTO invitation (id, patientId, status, statusChangedAt, sentAt, expiresAt, lastError, version, serverCopy) VALUES (?, ?, 'queued', ?, NULL, NULL, NULL, 0, NULL)`, [invitationId, patientId, now]);
  await ds.query(
    `INSERT INTO outbox (seq, name, argsVersion, args, staffUserId, createdAt, status, patientId, invitationId, description, error, errorCode, resolvedAt) VALUES (?, 'preRegisterPatient', 1, ?, ?, ?, 'pending', ?, ?, ?, NULL, NULL, NULL)`,
    [seq, JSON.stringify(args), staffUserId, now, patientId, invitationId, `Pre-register ${args.givenName} Fault`],
  );
}

it('an outbox written by the previous schema is migrated and pushed: every change once, replicas equal', async () => {
  // A console of the current version signs in (so the file holds a real session), then is stopped.
  const first = await new ConsoleProcess(consoleDir.path, server.url).start();
  await first.signIn('desk1');
  await first.syncNow();
  const clientId = await first.clientId();
  await first.close();

  const ds = await openAsPreviousVersion(join(consoleDir.path, 'console.sqlite'));
  const applied = (await ds.query('SELECT name FROM migrations ORDER BY timestamp')) as { name: string }[];
  expect(applied.map((r) => r.name)).toEqual(REPLICA_MIGRATIONS.slice(0, -1).map((M) => new M().name));
  const staff = JSON.parse(((await ds.query(`SELECT value FROM sync_state WHERE key = 'staff'`)) as { value: string }[])[0]?.value ?? '{}') as { id: string };
  for (const i of [1, 2, 3]) {
    await queueOldPreRegistration(ds, i, staff.id, i);
  }
  await ds.query(`INSERT OR REPLACE INTO sync_state (key, value) VALUES ('lastOutboxSeq', '3')`);
  await ds.destroy();

  upgraded = await new ConsoleProcess(consoleDir.path, server.url).start();
  await expectConverged(server, adminToken, [upgraded]);
  expect((await upgraded.outbox()).map((e) => [e.seq, e.status])).toEqual([
    [1, 'applied'],
    [2, 'applied'],
    [3, 'applied'],
  ]);
  await expectServerLastSeq(server, clientId, 3);
  await expectPatientsOnce(server, 'Upgrade', 3);
});
