/** Several consoles of one clinic: a change on one appears on the others live, and all converge. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mariaForm, startSignedInCore } from '../../src-main/testSupport';
import type { TestCore } from '../../src-main/testSupport';
import { clinicTeam } from '../fixtures/patients';
import type { ClinicTeam } from '../fixtures/patients';
import { startTestPortal } from '../fixtures/portal';
import type { TestPortal } from '../fixtures/portal';
import { pendingCount, replicaSnapshot, serverSnapshotVia } from '../fixtures/convergence';

let portal: TestPortal;
let team: ClinicTeam;
const cores: TestCore[] = [];

beforeAll(async () => {
  portal = await startTestPortal();
  team = await clinicTeam(portal);
});
afterAll(async () => {
  await Promise.all(cores.map((c) => c.dispose()));
  await portal.stop();
});

/** Resolves when the console reports changed rows of `table` (a pull, not its own write). */
function nextChange(core: TestCore, table: string): Promise<void> {
  return new Promise((resolve) => {
    const off = core.events.on('data.changed', ({ tables }) => {
      if (tables.includes(table)) {
        off();
        resolve();
      }
    });
  });
}

/** Waits, on data.changed events only, until the console's patient list finds `query`. */
async function showsPatient(core: TestCore, query: string): Promise<void> {
  for (;;) {
    await nextChange(core, 'patient');
    if ((await core.services.patients.list(query)).length > 0) {
      return;
    }
  }
}

it('a patient pre-registered on one console appears on two others without a manual sync, and all three replicas equal the server', async () => {
  // Short safety timer off the table: only the event stream can bring the change in time for the test's own timeout.
  const options = { sync: { safetyIntervalMs: 600_000 } };
  const [a, b, c] = await Promise.all([1, 2, 3].map(() => startSignedInCore(portal.url, 'desk1', 'Staff2Work', options)));
  cores.push(a as TestCore, b as TestCore, c as TestCore);
  const seen = [b, c].map((core) => showsPatient(core as TestCore, 'Live'));
  await (a as TestCore).services.patients.preRegister(mariaForm({ givenName: 'Livia', familyName: 'Live', email: 'livia.live@example.com' }), true);
  await Promise.all(seen);
  await (a as TestCore).engine.syncNow();
  await (b as TestCore).engine.syncNow();
  await (c as TestCore).engine.syncNow();
  const server = await serverSnapshotVia(portal.url, team.admin.console.token);
  expect(Object.keys(server.patient)).toHaveLength(1);
  for (const core of [a, b, c] as TestCore[]) {
    expect(await pendingCount(core.db)).toBe(0);
    expect(await replicaSnapshot(core.db)).toEqual(server);
  }
});
