/**
 * Backups of a running server's SQLite file and their restore (issue 18 item 5): real files, a
 * real server on 127.0.0.1, and the command line run as an operator would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import sqlite3 from 'sqlite3';
import { TEST_CLINIC, addStaff, onPostgres, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { BackupError, backupDatabase, checkBackupFile, pruneBackups, restoreDatabase, sqliteFileOf } from './backup';
import { lockFileOf } from './dataFolderLock';

const cleanup: (() => unknown)[] = [];
function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) {
    await step();
  }
});

async function runningClinic(): Promise<{ portal: TestPortal; dataDir: string; backupDir: string; adminToken: string }> {
  const root = tempDir('backup-test-');
  cleanup.push(() => root.remove());
  const dataDir = join(root.path, 'data');
  const portal = await startTestPortal({ dataDir });
  cleanup.push(() => portal.stop());
  const adminToken = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  return { portal, dataDir, backupDir: join(root.path, 'backups'), adminToken };
}

function sql(file: string, statement: string): Promise<void> {
  return new Promise((done, fail) => {
    const db = new sqlite3.Database(file, (err) => {
      if (err) {
        fail(err);
        return;
      }
      db.exec(statement, (e) => db.close(() => (e ? fail(e) : done())));
    });
  });
}

/** Everything in the data folder: a refused restore must leave every byte as it was. */
function folderState(dataDir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dataDir)
      .filter((f) => statSync(join(dataDir, f)).isFile())
      .map((f) => [f, readFileSync(join(dataDir, f)).toString('base64')]),
  );
}

describe.skipIf(onPostgres)('SQLite backups', () => {
  it('copies a running database, checks the copy, and leaves the secret out of it', async () => {
    const { portal, dataDir, backupDir, adminToken } = await runningClinic();
    await addStaff(portal.url, adminToken, 'desk1', 'receptionist', 'Staff2Work');
    const result = await backupDatabase({ dataDir, backupDir });
    expect(result.file).toMatch(/portal-\d{8}-\d{6}Z\.sqlite$/);
    expect(result.rows.staff_user).toBe(2);
    expect(result.migrations.length).toBeGreaterThan(5);
    expect(statSync(result.file).mode & 0o777).toBe(0o600);
    expect(statSync(backupDir).mode & 0o777).toBe(0o700);
    const secret = readFileSync(join(dataDir, 'secret'), 'utf8').trim();
    expect(readFileSync(result.file).includes(Buffer.from(secret))).toBe(false);
    expect(readdirSync(backupDir)).toEqual([result.file.split('/').at(-1)]);
    // The server kept running and writing.
    await addStaff(portal.url, adminToken, 'desk2', 'receptionist', 'Staff2Work');
    expect((await checkBackupFile(result.file)).rows.staff_user).toBe(2);
  });

  it('prunes only its own backups older than the days kept, never the newest nor other files', () => {
    const dir = tempDir('backup-prune-');
    cleanup.push(() => dir.remove());
    const names = ['portal-20261101-020000Z.sqlite', 'portal-20261122-020000Z.sqlite', 'portal-20261204-020000Z.sqlite', 'notes.txt', 'portal-20200101-000000Z.sqlite.partial'];
    for (const n of names) {
      writeFileSync(join(dir.path, n), 'x');
    }
    const removed = pruneBackups(dir.path, 14, new Date('2026-12-05T02:00:00Z'), join(dir.path, 'portal-20261204-020000Z.sqlite'));
    expect(removed).toEqual(['portal-20261101-020000Z.sqlite']);
    expect(readdirSync(dir.path).sort()).toEqual(names.filter((n) => n !== 'portal-20261101-020000Z.sqlite').sort());
  });

  it('restores a checked backup into a stopped server\'s folder, keeping the replaced database aside', async () => {
    const { portal, dataDir, backupDir, adminToken } = await runningClinic();
    const { file } = await backupDatabase({ dataDir, backupDir });
    await addStaff(portal.url, adminToken, 'after.backup', 'receptionist', 'Staff2Work');
    await portal.handle.close();
    expect(existsSync(lockFileOf(dataDir))).toBe(false);
    const before = readFileSync(sqliteFileOf(dataDir));
    const result = await restoreDatabase({ dataDir, file, now: new Date('2026-12-05T10:00:00Z') });
    expect(result.keptAside).toBe(`${sqliteFileOf(dataDir)}.before-restore-20261205-100000Z`);
    expect(readFileSync(result.keptAside ?? '').equals(before)).toBe(true);
    expect(statSync(sqliteFileOf(dataDir)).mode & 0o777).toBe(0o600);
    expect(existsSync(lockFileOf(dataDir))).toBe(false);
    await portal.restart();
    expect((await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token).toBeTruthy();
    const staff = await fetch(`${portal.url}/api/staff/users`, { headers: { authorization: `Bearer ${(await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token}` } });
    expect(JSON.stringify(await staff.json())).not.toContain('after.backup');
  });

  it('refuses, changing nothing, a missing file, a non-database, a damaged copy, a newer version\'s backup and a running server', async () => {
    const { portal, dataDir, backupDir } = await runningClinic();
    const { file } = await backupDatabase({ dataDir, backupDir });
    const notDb = join(backupDir, 'notes.sqlite');
    writeFileSync(notDb, 'this is not a database at all, just some words');
    const damaged = join(backupDir, 'damaged.sqlite');
    const bytes = readFileSync(file);
    bytes.fill(0x5a, 4096 * 2, 4096 * 3);
    writeFileSync(damaged, bytes);
    const newer = join(backupDir, 'newer.sqlite');
    writeFileSync(newer, readFileSync(file));
    await sql(newer, "INSERT INTO migrations (timestamp, name) VALUES (1999999999999, 'ServerFromTheFuture1999999999999')");

    // While the server runs, even a good backup is refused.
    const running = folderState(dataDir);
    await expect(restoreDatabase({ dataDir, file })).rejects.toThrow(/is running on .*Stop it first/);
    expect(folderState(dataDir)).toEqual(running);

    await portal.handle.close();
    const stopped = folderState(dataDir);
    const refusals: [string, RegExp][] = [
      [join(backupDir, 'nothing-here.sqlite'), /does not exist/],
      [notDb, /not a SQLite database/],
      [damaged, /damaged|cannot be opened|malformed/],
      [newer, /newer portal version .*ServerFromTheFuture/],
    ];
    for (const [bad, message] of refusals) {
      const err = await restoreDatabase({ dataDir, file: bad }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(BackupError);
      expect((err as Error).message).toMatch(message);
      expect(folderState(dataDir)).toEqual(stopped);
    }
  });

  it('takes over a lock left by a process that is gone', async () => {
    const { portal, dataDir, backupDir } = await runningClinic();
    const { file } = await backupDatabase({ dataDir, backupDir });
    await portal.handle.close();
    // A pid far above any pid_max: no such process.
    writeFileSync(lockFileOf(dataDir), JSON.stringify({ pid: 2 ** 30, token: 'x', what: 'server', since: '' }));
    await expect(restoreDatabase({ dataDir, file })).resolves.toMatchObject({ restoredFrom: file });
  });

  it('runs as npm run backup / restore would, and the restore command refuses a folder a server process uses', async () => {
    const { dataDir, backupDir } = await runningClinic();
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', resolve('portal-server/server/main.ts'), ...args], {
        env: { ...process.env, DATA_DIR: dataDir, BACKUP_DIR: backupDir, BACKUP_KEEP_DAYS: '3', PORTAL_TEST_DATABASE: '' },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const backup = cli('backup');
    expect(backup.stdout).toMatch(/Backup written and checked: .*portal-\d{8}-\d{6}Z\.sqlite/);
    expect(backup.status).toBe(0);
    const [made] = readdirSync(backupDir);
    const before = folderState(dataDir);
    // The server runs in this test process: another process's restore must refuse.
    const restore = cli('restore', join(backupDir, made ?? ''));
    expect(restore.stdout).toMatch(/Restore refused, nothing was changed: A portal server \(process \d+\) is running/);
    expect(restore.status).toBe(1);
    expect(folderState(dataDir)).toEqual(before);
  }, 90_000);
});
