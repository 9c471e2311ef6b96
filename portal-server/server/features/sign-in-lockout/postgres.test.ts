/**
 * Scale-out: several portal-server instances sharing one PostgreSQL database must agree on every
 * rate limit, lockout and one-time link. Runs only when PORTAL_TEST_POSTGRES_URL names a server
 * whose user may create databases (e.g. postgres://portal@127.0.0.1:5432/postgres); each run gets
 * a fresh database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import type { AuditEventView } from '../../../../shared/api/staffSecurity';
import { PatientAccountEntity } from '../../../../shared/node/entities/server';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicTeam, registerPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { api, startTestPortal } from '../../../../test/fixtures/portal';

const adminUrl = process.env.PORTAL_TEST_POSTGRES_URL;
const dbName = `portal_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

let a: TestPortal;
let b: TestPortal;
let team: ClinicTeam;
let pat: PatientClient;
let username = '';

async function admin(sql: string): Promise<void> {
  const server = new DataSource({ type: 'postgres', url: adminUrl });
  await server.initialize();
  try {
    await server.query(sql);
  } finally {
    await server.destroy();
  }
}

describe.skipIf(!adminUrl)('two instances on one PostgreSQL database', () => {
  beforeAll(async () => {
    await admin(`CREATE DATABASE ${dbName}`);
    const url = new URL(adminUrl ?? '');
    url.pathname = `/${dbName}`;
    // Instances behind one load balancer share the database and the SECRET (tokens are HMACs with it).
    const config = { databaseUrl: url.toString(), trustProxy: 'loopback', secret: randomUUID() + randomUUID() };
    a = await startTestPortal({ config });
    b = await startTestPortal({ config });
    team = await clinicTeam(a);
    pat = await registerPatient(a, team.desk.console, { givenName: 'Pam', familyName: 'Postgres' });
    username = (await a.handle.context.db.read((m) => m.findOneByOrFail(PatientAccountEntity, { patientId: pat.patientId }))).username;
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await admin(`DROP DATABASE IF EXISTS ${dbName}`);
  });

  it('count one rate limit together, even under concurrent requests', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => api(i % 2 ? a.url : b.url, '/api/registration', { body: {}, headers: { 'x-forwarded-for': '198.51.100.20' } })),
    );
    expect(answers.filter((r) => r.status !== 429)).toHaveLength(30);
  });

  it('let no burst of parallel guesses outrun an account lockout', async () => {
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        api<ApiErrorResponse>(i % 2 ? a.url : b.url, '/api/session', { body: { username, password: 'Wrong1234' }, headers: { 'x-forwarded-for': `198.51.100.${40 + i}` } }),
      ),
    );
    // Four wrong answers at most; every other try waits (the fifth failure locks the account).
    expect(answers.filter((r) => r.status === 401)).toHaveLength(4);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(12);
    const unlock = await api(b.url, `/api/staff/patients/${pat.patientId}/unlock-account`, { method: 'POST', token: team.desk.console.token });
    expect(unlock.status).toBe(204);
    expect((await api(a.url, '/api/session', { body: { username, password: 'Password1' } })).status).toBe(200);
  });

  it('filter the audit log by patient and refuse to change it', async () => {
    const res = await api<AuditEventView[]>(b.url, `/api/staff/audit?patientId=${pat.patientId}&action=patient.&limit=200`, { token: team.admin.console.token });
    expect(res.status).toBe(200);
    expect(new Set(res.body.map((e) => e.action))).toEqual(new Set(['patient.pre_register', 'patient.register', 'patient.sign_in', 'patient.sign_in_failed', 'patient.account_unlock']));
    expect(res.body.every((e) => e.patientName === 'Pam Postgres')).toBe(true);
    await expect(a.handle.context.db.write((m) => m.query(`UPDATE audit_event SET action = 'x'`))).rejects.toThrow(/append-only/);
    await expect(b.handle.context.db.write((m) => m.query('DELETE FROM audit_event'))).rejects.toThrow(/append-only/);
  });

  it('revoke a console on one instance and refuse it on the other at once', async () => {
    const nurse = await team.add('pgdesk01', 'Pat Desk', 'receptionist');
    const device = (await api<{ id: string; staffUserId: string }[]>(a.url, '/api/staff/devices', { token: team.admin.console.token })).body.find((d) => d.staffUserId === nurse.id);
    expect((await api(a.url, `/api/staff/devices/${device?.id ?? ''}/revoke`, { method: 'POST', token: team.admin.console.token })).status).toBe(200);
    expect((await api(b.url, '/api/staff/me', { token: nurse.console.token })).status).toBe(401);
  });
});
