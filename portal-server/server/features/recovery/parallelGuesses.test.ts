/**
 * Wrong recovery codes sent at once — to one instance or, on PostgreSQL, to several — are counted
 * one after another: no more than RECOVERY_MAX_TRIES codes are ever checked. (On PostgreSQL without
 * the recovery's lock, 24 of 25 parallel guesses were checked.) Runs on both engines.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AccountRecoveryEntity } from '../../../../shared/node/entities/recovery';
import { AuditEventEntity } from '../../../../shared/node/entities/server';
import { clinicTeam, registerPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { api, startTestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
beforeAll(async () => {
  portal = await startTestPortal({ config: { trustProxy: 'loopback' } });
}, 120_000);
afterAll(async () => {
  await portal.stop();
});

it('checks at most 5 of 25 wrong codes sent at once from 25 addresses', async () => {
  const team = await clinicTeam(portal);
  const who = await registerPatient(portal, team.desk.console, { givenName: 'Rex', familyName: 'Racer' });
  const res = await api<{ recoveryId: string }>(portal.url, '/api/recovery/start', { body: { kind: 'password', username: who.username }, headers: { 'x-forwarded-for': '198.51.100.1' } });
  expect(res.status).toBe(202);
  const id = res.body.recoveryId;
  await Promise.all(
    Array.from({ length: 25 }, (_, i) => api(portal.url, '/api/recovery/verify', { body: { recoveryId: id, code: String(100000 + i) }, headers: { 'x-forwarded-for': `198.51.100.${10 + i}` } })),
  );
  const row = await portal.handle.context.db.read((m) => m.findOneByOrFail(AccountRecoveryEntity, { id }));
  const checked = await portal.handle.context.db.read((m) => m.countBy(AuditEventEntity, { action: 'patient.recovery_failed' }));
  expect(row.failedTries).toBe(5);
  expect(checked).toBe(5);
}, 120_000);
