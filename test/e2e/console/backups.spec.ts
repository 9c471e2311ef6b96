import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { scheduledBackupOf } from '../../../portal-server/server/features/backup/backup';
import type { TestPortal } from '../../fixtures/portal';
import { TEST_CLINIC, startTestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { signIn } from './demoDesk';

/**
 * Issue 18 item 5, in the console: the hosting desk's Clinic settings show the nightly backups and
 * "Back up now" writes a checked copy of the real portal's SQLite file. The portal runs on SQLite
 * here whatever the test database is: a hosting desk always does.
 */
let portal: TestPortal;
let desk: ConsoleUnderTest | undefined;
let folder: string;

test.beforeEach(async () => {
  portal = await startTestPortal();
  folder = mkdtempSync(join(tmpdir(), 'console-backups-e2e-'));
});
test.afterEach(async () => {
  await desk?.close();
  desk = undefined;
  await portal.stop();
  rmSync(folder, { recursive: true, force: true });
});

test('an admin sees the schedule, backs up now, and sees the checked copy listed', async ({ page }) => {
  test.skip(process.env.PORTAL_TEST_DATABASE === 'postgres', 'the hosted portal backs up its SQLite file');
  desk = await openConsole(page, { serverUrl: portal.url, hostedBackup: scheduledBackupOf(portal.dataDir, folder) });
  await signIn(page, { username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword });
  await page.getByRole('link', { name: 'Clinic settings' }).click();
  const panel = page.getByRole('region', { name: 'Backups' });
  await expect(panel).toContainText('Every night at 2:00 AM');
  await expect(panel.getByRole('definition').first()).toHaveText('None yet');

  await panel.getByRole('button', { name: 'Back up now' }).click();
  await expect(panel.getByRole('status')).toContainText(/Backup written and checked: portal-.*\.sqlite/);
  expect(readdirSync(folder).filter((f) => f.endsWith('.sqlite'))).toHaveLength(1);
  await expect(panel).toContainText(/Last backup.*portal-.*\.sqlite.*checked/s);
});
