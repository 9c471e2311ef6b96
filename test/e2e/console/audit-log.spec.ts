import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { AuditEventEntity, ClinicEntity, StaffUserEntity } from '../../../shared/node/entities/server';
import type { TestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from './consoleHarness';
import { openConsole } from './consoleHarness';
import { DEMO, expectAllSent, physician, signIn, startDemoPortal } from './demoDesk';

/** The admin reads the audit log in the console: who opened which record, when, from where. */
let portal: TestPortal;
const consoles: ConsoleUnderTest[] = [];

test.beforeEach(async () => {
  portal = await startDemoPortal();
});
test.afterEach(async () => {
  for (const c of consoles.splice(0)) {
    await c.close();
  }
  await portal.stop();
});

test('after a physician opens a record, the admin finds the look in the audit log', async ({ page, context }) => {
  const doctorPage = await context.newPage();
  consoles.push(await openConsole(doctorPage, { serverUrl: portal.url }));
  await signIn(doctorPage, physician);
  await doctorPage.getByRole('link', { name: 'Ana Silva' }).click();
  await expect(doctorPage.getByRole('region', { name: 'Medical record' }).getByRole('table', { name: 'Allergies' })).toBeVisible();
  await expectAllSent(doctorPage);

  consoles.push(await openConsole(page, { serverUrl: portal.url }));
  await signIn(page, DEMO.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Audit events, newest first' })).toBeVisible();

  await page.getByLabel('Staff member').selectOption({ label: 'Dr. Sam Patel' });
  await page.getByLabel('Action').fill('record.view');
  await page.getByLabel('Patient').selectOption({ label: 'Ana Silva (born 01/22/1990)' });
  await page.getByRole('button', { name: 'Search' }).click();
  const rows = page.getByRole('table', { name: 'Audit events, newest first' }).getByRole('row');
  await expect(rows).toHaveCount(2);
  const event = rows.nth(1);
  await expect(event).toContainText('Dr. Sam Patel');
  await expect(event).toContainText('Opened the medical record');
  await expect(event).toContainText('Ana Silva');
  await expect(event).toContainText(/EST|EDT/);
  await expect(event.getByRole('cell').nth(4)).toHaveText(/127\.0\.0\.1|::1/);
  await expect(page.getByRole('button', { name: 'Load more' })).toHaveCount(0);

  // A filter nothing matches says so.
  await page.getByLabel('Action').fill('staff.device_revoke');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('No audit events match these filters.')).toBeVisible();

  // Dates the wrong way round are caught in the form.
  await page.getByLabel('Action').fill('');
  await page.getByLabel('From', { exact: true }).fill('2026-03-10');
  await page.getByLabel('To', { exact: true }).fill('2026-03-01');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('“To” must not be before “From”.')).toBeVisible();
});

test('the audit log pages with "Load more", and says when the server cannot be reached', async ({ page }) => {
  // More than one page of 50: sign-ins of the admin, a minute apart, some hours ago.
  await portal.handle.context.db.write(async (m) => {
    const clinic = await m.findOneByOrFail(ClinicEntity, {});
    const admin = await m.findOneByOrFail(StaffUserEntity, { username: DEMO.admin.username });
    const start = Date.now() - 6 * 3600_000;
    await m.insert(
      AuditEventEntity,
      Array.from({ length: 60 }, (_, i) => ({
        id: randomUUID(),
        clinicId: clinic.id,
        actorKind: 'staff' as const,
        actorId: admin.id,
        action: 'staff.sign_in',
        entity: null,
        entityId: null,
        at: new Date(start + i * 60_000).toISOString(),
        ip: '10.0.0.7',
        detail: null,
      })),
    );
  });
  consoles.push(await openConsole(page, { serverUrl: portal.url }));
  await signIn(page, DEMO.admin);
  await page.getByRole('link', { name: 'Audit log' }).click();
  const rows = page.getByRole('table', { name: 'Audit events, newest first' }).getByRole('row');
  await expect(rows).toHaveCount(51);
  await expect(page.getByRole('status').filter({ hasText: 'shown' })).toHaveText('50+ events shown');
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect.poll(() => rows.count()).toBeGreaterThan(61);
  await expect(page.getByRole('table', { name: 'Audit events, newest first' })).toContainText('10.0.0.7');

  // The server goes away: the search says so plainly and offers to try again.
  const stopped = portal;
  await stopped.handle.close();
  portal = { ...stopped, stop: () => Promise.resolve(rmSync(stopped.dataDir, { recursive: true, force: true })) };
  await page.getByRole('button', { name: 'Search' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The clinic server is not reachable. The audit log is kept there, so reading it needs a connection.');
  await expect(alert.getByRole('button', { name: 'Try again' })).toBeVisible();
});
