/**
 * The restore drill (issue 18 item 6), as a clinic would run it: `npm run backup` while the server
 * runs, more work from a console, the server stopped, `npm run restore`, the server started on the
 * same port. The console notices the server holds less than it acknowledged and sends it again.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase, checkBackupFile, restoreDatabase } from '../../portal-server/server/features/backup/backup';
import { mariaForm, startSignedInCore, tempDir } from '../../src-main/testSupport';
import { replicaSnapshot, serverSnapshotVia } from '../fixtures/convergence';
import { TEST_CLINIC, addStaff, onPostgres, signInStaff, startTestPortal } from '../fixtures/portal';
import type { TestPortal } from '../fixtures/portal';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) {
    await step();
  }
});

describe.skipIf(onPostgres)('restore drill on SQLite', () => {
  it('backs up a running server, loses later work to a restore, and the console resends it', { timeout: 120_000 }, async () => {
    const root = tempDir('restore-drill-');
    cleanup.push(() => root.remove());
    const dataDir = join(root.path, 'data');
    let portal: TestPortal = await startTestPortal({ dataDir });
    cleanup.push(() => portal.handle.close().catch(() => undefined));
    const port = portal.handle.port;
    const adminToken = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
    await addStaff(portal.url, adminToken, 'desk1', 'receptionist', 'Staff2Work');
    const core = await startSignedInCore(portal.url, 'desk1', 'Staff2Work');
    cleanup.push(() => core.dispose());
    const kept = await core.services.patients.preRegister(mariaForm({ email: 'kept@example.com' }), false);
    expect(await core.engine.syncNow()).toMatchObject({ pending: 0 });

    // Backed up while the server runs.
    const backup = await backupDatabase({ dataDir, backupDir: join(root.path, 'backups') });
    expect((await checkBackupFile(backup.file)).rows.patient).toBe(1);

    // More work after the backup, accepted by the server.
    const lost = await core.services.patients.preRegister(mariaForm({ givenName: 'Lost', email: 'lost@example.com' }), false);
    expect(await core.engine.syncNow()).toMatchObject({ pending: 0 });
    expect((await serverSnapshotVia(portal.url, adminToken)).patient[lost.patient.id]).toBeDefined();

    // Restored: refused while the server runs, done once it is stopped; started on the same port.
    await expect(restoreDatabase({ dataDir, file: backup.file })).rejects.toThrow(/Stop it first/);
    // The console is held still meanwhile, so what the restored server holds can be looked at first.
    await core.engine.stop();
    await portal.handle.close();
    const restored = await restoreDatabase({ dataDir, file: backup.file });
    expect(restored.keptAside).toMatch(/portal\.sqlite\.before-restore-/);
    portal = await startTestPortal({ dataDir, config: { port } });
    const token = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
    const afterRestore = await serverSnapshotVia(portal.url, token);
    expect(afterRestore.patient[kept.patient.id]).toBeDefined();
    expect(afterRestore.patient[lost.patient.id]).toBeUndefined();

    // The console's next sync finds the server behind what it acknowledged and sends the change again.
    core.engine.start();
    expect(await core.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });
    const server = await serverSnapshotVia(portal.url, token);
    expect(server.patient[lost.patient.id]).toMatchObject({ email: 'lost@example.com' });
    expect(server.patient[kept.patient.id]).toMatchObject({ email: 'kept@example.com' });
    expect(await replicaSnapshot(core.db)).toEqual(server);
  });
});
