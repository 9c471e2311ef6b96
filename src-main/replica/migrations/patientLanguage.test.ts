/**
 * Replica migration 1764920000000 (issue 15): a console upgraded after patients chose their language
 * shows it, though the server will not send those rows again on its own.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { clinicTeam } from '../../../test/fixtures/patients';
import type { ClinicTeam } from '../../../test/fixtures/patients';
import { startTestPortal } from '../../../test/fixtures/portal';
import type { TestPortal } from '../../../test/fixtures/portal';
import { startSignedInCore, startTestCore, tempDir } from '../../testSupport';
import { REPLICA_ENTITIES } from '../entities';
import { REPLICA_MIGRATIONS } from './index';

let portal: TestPortal;
let team: ClinicTeam;
const dir = tempDir('language-upgrade-');

beforeAll(async () => {
  portal = await startTestPortal();
  team = await clinicTeam(portal);
});
afterAll(async () => {
  await portal.stop();
  dir.remove();
});

it('a replica from before the language column re-downloads once, and then shows the language the server holds', async () => {
  const { patientId, response } = await team.desk.console.preRegister({ email: 'lucia.upgrade@example.com', language: 'es' });
  expect(response.outcomes[0]?.status).toBe('applied');
  const first = await startSignedInCore(portal.url, 'desk1', 'Staff2Work', { dataDir: dir.path });
  expect((await first.services.patients.get(patientId)).patient.language).toBe('es');
  await first.close();

  // The file as the previous console version left it: no language column, a cursor past the patient.
  const ds = new DataSource({ type: 'sqlite', database: join(dir.path, 'console.sqlite'), entities: REPLICA_ENTITIES, migrations: REPLICA_MIGRATIONS, migrationsRun: false, synchronize: false });
  await ds.initialize();
  await ds.undoLastMigration({ transaction: 'each' });
  expect(((await ds.query(`PRAGMA table_info(patient)`)) as { name: string }[]).map((c) => c.name)).not.toContain('language');
  await ds.destroy();

  const upgraded = await startTestCore({ serverUrl: portal.url, dataDir: dir.path });
  try {
    expect(await upgraded.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });
    expect((await upgraded.services.patients.get(patientId)).patient).toMatchObject({ language: 'es', version: 1 });
  } finally {
    await upgraded.close();
  }
});
