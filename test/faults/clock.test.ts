/**
 * Consoles whose clocks are hours off: nothing orders, expires or prunes by them in a harmful way.
 * The server stamps rows with its own time; the console's createdAt is informational and its viewedAt is not kept.
 */
import { expect, it } from 'vitest';
import { expectConverged, expectPatientsOnce, expectServerLastSeq } from './harness/checks';
import type { ConsoleProcess } from './harness/processes';
import { useFaultServer } from './harness/suite';

const HOUR = 3600_000;
const suite = useFaultServer('fault-clock-', [
  { username: 'desk1', role: 'receptionist' },
  { username: 'desk2', role: 'receptionist' },
]);

async function openConsole(username: string, clockOffsetMs: number, dataDir?: string): Promise<ConsoleProcess> {
  const c = await suite.openConsole({ clockOffsetMs }, dataDir);
  if (!dataDir) {
    await c.signIn(username);
  }
  return c;
}

/** The latest instant the server wrote into its synced rows and audit log. */
async function latestServerStamp(): Promise<number> {
  const rows = await suite.server.sql<{ at: string }>(`SELECT MAX(updatedAt) AS at FROM patient UNION ALL SELECT MAX(at) FROM audit_event UNION ALL SELECT MAX(statusChangedAt) FROM invitation`);
  return Math.max(...rows.map((r) => Date.parse(r.at)).filter((t) => !Number.isNaN(t)));
}

it('a console six hours ahead and one six hours behind converge, and the server keeps its own time', async () => {
  const ahead = await openConsole('desk1', 6 * HOUR);
  const behind = await openConsole('desk2', -6 * HOUR);
  await ahead.preRegister('Ahead', 2);
  await behind.preRegister('Behind', 2);
  await ahead.syncNow();
  await behind.syncNow();
  const [patientId] = await ahead.preRegister('Edited', 1, false);
  await ahead.syncNow();
  await behind.syncNow();
  await behind.call('patients', 'update', patientId, { givenName: 'Edited1', familyName: 'Behind', dateOfBirth: '04/12/1986', email: 'edited.1@example.com', phone: '' });
  await expectConverged(suite.server, suite.adminToken, [ahead, behind]);

  await expectPatientsOnce(suite.server, 'Ahead', 2);
  await expectPatientsOnce(suite.server, 'Behind', 2);
  expect(await suite.server.sql(`SELECT familyName FROM patient WHERE givenName = 'Edited1'`)).toEqual([{ familyName: 'Behind' }]);
  await expectServerLastSeq(suite.server, await ahead.clientId(), 3);
  await expectServerLastSeq(suite.server, await behind.clientId(), 3);
  // Nothing the server stamped came from the console six hours ahead.
  expect(await latestServerStamp()).toBeLessThan(Date.now() + HOUR);
  // Accepted entries are kept (for a resend after a restore) whatever the clock says.
  expect((await ahead.outbox()).map((e) => e.status)).toEqual(['applied', 'applied', 'applied']);
});

it('record openings are reported again after a clock set back by hours, and never shown to the patient in the future', async () => {
  const desk = await openConsole('desk1', 6 * HOUR);
  const [patientId] = await desk.preRegister('Viewed', 1, false);
  await desk.syncNow();
  await desk.call('record', 'get', patientId);
  await desk.syncNow();
  // The clock is put right (six hours back) and the console restarted on the same replica.
  const dataDir = desk.dataDir;
  await desk.close();
  const corrected = await openConsole('desk1', 0, dataDir);
  await corrected.call('record', 'get', patientId);
  expect(await corrected.syncNow()).toMatchObject({ pending: 0 });

  const views = await suite.server.sql<{ at: string; detail: string }>(`SELECT at, detail FROM audit_event WHERE action = 'record.view' AND entityId = '${patientId}' ORDER BY at`);
  expect(views).toHaveLength(2);
  // Stamped by the server's clock alone: the console six hours ahead put no time of its own anywhere.
  for (const view of views) {
    expect(Date.parse(view.at)).toBeLessThanOrEqual(Date.now());
    expect(view.detail).toBe('by=staff');
  }
});
