import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../../shared/node/db';
import { SERVER_ENTITIES } from '../../../../shared/node/entities/server';
import { ServerInitial1764100000000 } from '../../../../shared/node/migrations/server/1764100000000-Initial';
import { hashPassword } from '../../../../shared/node/secrets';
import type { StaffDirectoryEntry } from '../../../../shared/domain/staff';
import { SYNCED_TABLES } from '../../../../shared/sync/protocol';
import type { AppointmentView } from '../../../../shared/domain/appointment';
import type { RenewalView } from '../../../../shared/domain/renewal';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicTeam, pullAll, registerPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { api, onPostgres, signInStaff, startTestPortal, testDatabase } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let team: ClinicTeam;
let ann: PatientClient;

beforeAll(async () => {
  portal = await startTestPortal();
  team = await clinicTeam(portal);
  ann = await registerPatient(portal, team.desk.console, { givenName: 'Ann', familyName: 'Avery' });
});
afterAll(async () => {
  await portal.stop();
});

const staffIn = (changes: Awaited<ReturnType<typeof pullAll>>): StaffDirectoryEntry[] =>
  changes.flatMap((c) => (c.table === 'staff' && c.op === 'upsert' ? [c.row] : []));

describe('pull', () => {
  it('gives a fresh console every synced table, and the staff directory without any secret', async () => {
    const medicationId = randomUUID();
    await team.doctor.apply('saveRecordEntry', { kind: 'medication', entryId: medicationId, patientId: ann.patientId, fields: { name: 'Med', dose: '1', instructions: '', prescriberName: 'Dr', refillsLeft: 1, active: true }, baseVersion: 0 });
    const others = [
      ['problem', { name: 'P', status: 'active', onsetDate: null, note: '' }],
      ['allergy', { substance: 'S', reaction: 'R', severity: 'mild' }],
      ['immunization', { vaccine: 'V', date: '2020-01-01', note: '' }],
      ['labResult', { test: 'T', value: '1', unit: '', referenceRange: '', flag: 'normal', date: '2020-01-01' }],
      ['visitSummary', { date: '2020-01-01', physicianName: 'Dr', reason: 'R', summary: 'S' }],
    ] as const;
    for (const [kind, fields] of others) {
      expect((await team.doctor.apply('saveRecordEntry', { kind, entryId: randomUUID(), patientId: ann.patientId, fields, baseVersion: 0 } as never)).status).toBe('applied');
    }
    await ann.post<AppointmentView>('/api/appointments', { reason: 'R', preferredPhysicianId: null, preferredTimes: 'T' });
    await ann.post<RenewalView>('/api/renewals', { medicationId });
    await ann.post('/api/messages', { subject: 'S', body: 'B' });

    const changes = await pullAll(portal.url, team.desk.console.token);
    expect(new Set(changes.map((c) => c.table))).toEqual(new Set(SYNCED_TABLES));
    const staff = staffIn(changes);
    expect(staff.map((s) => [s.displayName, s.role]).sort()).toEqual([
      ['Alex Admin', 'admin'],
      ['Dana Desk', 'receptionist'],
      ['Dr. Sam Patel', 'physician'],
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/passwordHash|usernameNormalized|tokenHash|registrationIdHash|answer1Hash/);
  });

  it('a deactivated physician reaches consoles as inactive', async () => {
    const res = await api(portal.url, `/api/staff/users/${team.doctor.id}`, { method: 'PATCH', token: team.admin.console.token, body: { active: false } });
    expect(res.status).toBe(200);
    const doctor = staffIn(await pullAll(portal.url, team.desk.console.token)).find((s) => s.id === team.doctor.id);
    expect(doctor).toMatchObject({ active: false, version: 2 });
    await api(portal.url, `/api/staff/users/${team.doctor.id}`, { method: 'PATCH', token: team.admin.console.token, body: { active: true } });
  });
});

describe('upgrading a server that already has staff', () => {
  it('puts the existing staff into the change log, so consoles learn the directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portal-upgrade-'));
    try {
      // A database as the first release left it: only the initial migration, a clinic and its admin.
      // On PostgreSQL (npm run test:postgres) the same upgrade runs on a database of its own.
      const database = onPostgres ? await testDatabase(dataDir) : null;
      const old = await Database.open({ sqlitePath: join(dataDir, 'portal.sqlite'), databaseUrl: database?.url, entities: SERVER_ENTITIES, migrations: [ServerInitial1764100000000] });
      const now = new Date().toISOString();
      const clinicId = randomUUID();
      const passwordHash = await hashPassword('Admin2Go');
      const pg = old.engine === 'postgres';
      const insert = (table: string, row: Record<string, unknown>) => {
        const names = Object.keys(row);
        const marks = names.map((_, i) => (pg ? `$${i + 1}` : '?'));
        return `INSERT INTO "${table}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${marks.join(', ')})`;
      };
      await old.write(async (m) => {
        // Raw SQL: today's entities have columns this old schema lacks.
        const clinic = { id: clinicId, name: 'Old Clinic', phone: '1', address: 'A', timeZone: 'UTC', passwordPolicy: 'default', invitationLifetimeDays: 14, createdAt: now, updatedAt: now };
        await m.query(insert('clinic', clinic), Object.values(clinic));
        const admin = { id: randomUUID(), clinicId, username: 'oldadmin', usernameNormalized: 'oldadmin', displayName: 'Old Admin', role: 'admin', passwordHash, active: pg ? true : 1, createdAt: now, updatedAt: now };
        await m.query(insert('staff_user', admin), Object.values(admin));
      });
      await old.close();

      const upgraded = await startTestPortal({ dataDir, setUp: false });
      try {
        const { token, clinic } = await signInStaff(upgraded.url, 'oldadmin', 'Admin2Go');
        expect(clinic.appointmentCancelHours).toBe(24);
        expect(staffIn(await pullAll(upgraded.url, token)).map((s) => s.displayName)).toEqual(['Old Admin']);
      } finally {
        await upgraded.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      if (onPostgres) {
        await (await testDatabase(dataDir)).drop();
      }
    }
  });
});
