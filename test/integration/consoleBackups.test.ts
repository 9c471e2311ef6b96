import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBackupFile, scheduledBackupOf } from '../../portal-server/server/features/backup/backup';
import type { TestPortal } from '../fixtures/portal';
import { TEST_CLINIC, addStaff, signInStaff, startTestPortal } from '../fixtures/portal';
import { startSignedInCore } from '../../src-main/testSupport';
import type { TestCore } from '../../src-main/testSupport';
import { BackupService, nextBackupAt } from '../../src-main/services/backups';
import type { Timers } from '../../src-main/services/backups';

/**
 * A hosting desk's backups (issue 18 item 5), against a real portal's SQLite file: the schedule,
 * "Back up now", a failure said in words, and who may do it. Timers are captured, not waited for.
 */
class CapturedTimers implements Timers {
  pending: { fn: () => void; ms: number }[] = [];
  set(fn: () => void, ms: number): unknown {
    const entry = { fn, ms };
    this.pending.push(entry);
    return entry;
  }
  clear(handle: unknown): void {
    this.pending = this.pending.filter((p) => p !== handle);
  }
  /** Fires the one pending timer, as the clock reaching it would. */
  fire(): void {
    const next = this.pending.shift();
    if (!next) {
      throw new Error('no timer is pending');
    }
    next.fn();
  }
}

const onPostgres = process.env.PORTAL_TEST_DATABASE === 'postgres';

describe('nextBackupAt', () => {
  it('is the next local 2:00 strictly after now', () => {
    expect(nextBackupAt(new Date(2026, 11, 5, 1, 30), 2)).toEqual(new Date(2026, 11, 5, 2, 0));
    expect(nextBackupAt(new Date(2026, 11, 5, 2, 0), 2)).toEqual(new Date(2026, 11, 6, 2, 0));
    expect(nextBackupAt(new Date(2026, 11, 31, 23, 0), 2)).toEqual(new Date(2027, 0, 1, 2, 0));
  });
});

describe.skipIf(onPostgres)('backups on a hosting desk', () => {
  let portal: TestPortal;
  let folder: string;
  const cores: TestCore[] = [];

  beforeAll(async () => {
    portal = await startTestPortal();
    const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
    await addStaff(portal.url, admin.token, 'frontdesk', 'receptionist');
    folder = mkdtempSync(join(tmpdir(), 'console-backups-'));
  });
  afterAll(async () => {
    for (const core of cores) {
      await core.dispose();
    }
    await portal.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  async function desk(username: string, password: string, hosted: ReturnType<typeof scheduledBackupOf> | null, timers: Timers) {
    const core = await startSignedInCore(portal.url, username, password, { hostedBackup: hosted });
    cores.push(core);
    // The core started its own schedule with real timers; this test drives one with captured ones.
    core.services.backups.stop();
    const service = new BackupService({ session: core.session, dataDir: core.dataDir, hosted, timers, catchUpDelayMs: 60_000 });
    return { core, service };
  }

  it('with no backup yet, one runs soon after start; it is checked, listed, and the next is at 2:00', async () => {
    const timers = new CapturedTimers();
    const { service } = await desk(TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword, scheduledBackupOf(portal.dataDir, folder), timers);
    service.start();
    expect(timers.pending.map((p) => p.ms)).toEqual([60_000]);
    const before = await service.status();
    expect(before).toMatchObject({ hosting: true, folder, hourOfDay: 2, last: null, files: [], running: false });

    timers.fire();
    await expect.poll(async () => (await service.status()).last?.ok, { timeout: 20_000 }).toBe(true);
    const after = await service.status();
    expect(after.files).toHaveLength(1);
    expect(after.last?.file).toBe(after.files[0]?.name);
    expect(after.last?.sizeBytes).toBeGreaterThan(0);
    // The copy is a portal database with the clinic's staff in it (the admin and the front desk).
    const check = await checkBackupFile(join(folder, after.files[0]?.name ?? ''));
    expect(check.rows.staff_user).toBe(2);
    // Then the nightly schedule: the next run is at a local 2:00.
    await expect.poll(() => timers.pending.length).toBe(1);
    expect(new Date(after.nextAt ?? '').getHours()).toBe(2);
    service.stop();
  });

  it('"Back up now" makes another checked copy; a receptionist is refused and nothing is written', async () => {
    const { service } = await desk(TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword, scheduledBackupOf(portal.dataDir, folder), new CapturedTimers());
    const count = readdirSync(folder).length;
    const done = await service.runNow();
    expect(done.last?.ok).toBe(true);
    expect(readdirSync(folder).length).toBeGreaterThanOrEqual(count);
    expect(done.files.some((f) => f.name === done.last?.file)).toBe(true);

    const front = await desk('frontdesk', 'Copper-Kettle-Desk-81', scheduledBackupOf(portal.dataDir, folder), new CapturedTimers());
    const files = readdirSync(folder);
    await expect(front.service.runNow()).rejects.toMatchObject({ code: 'forbidden' });
    await expect(front.service.status()).rejects.toMatchObject({ code: 'forbidden' });
    expect(readdirSync(folder)).toEqual(files);
  });

  it('a backup that fails is kept as the last result with its reason, and the schedule goes on', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-portal-'));
    const timers = new CapturedTimers();
    const { service } = await desk(TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword, scheduledBackupOf(empty, join(empty, 'backups')), timers);
    const view = await service.runNow();
    expect(view.last).toMatchObject({ ok: false, file: null });
    expect(view.last?.error).toMatch(/There is no database at/);
    expect(existsSync(join(empty, 'backups')) ? readdirSync(join(empty, 'backups')) : []).toEqual([]);
    service.start();
    // A failed last backup counts as none: the catch-up run is scheduled again.
    expect(timers.pending.map((p) => p.ms)).toEqual([60_000]);
    service.stop();
    rmSync(empty, { recursive: true, force: true });
  });

  it('a desk that connects to another computer makes no backups and says which computer does', async () => {
    const { service } = await desk(TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword, null, new CapturedTimers());
    service.start();
    expect(await service.status()).toMatchObject({ hosting: false, folder: null, nextAt: null, files: [] });
    await expect(service.runNow()).rejects.toMatchObject({ code: 'conflict' });
  });
});
