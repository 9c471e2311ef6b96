/**
 * Every change of a synced row reaches consoles: it goes through writeSynced.ts, which bumps the
 * version and writes the change log. A replica that follows the change log must equal the
 * server's own tables after any write API.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ChangeLogEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import type { ChangeRecord, PullResponse, SyncCursor, SyncedTable } from '../../../../shared/sync/protocol';
import { SYNCED_TABLES } from '../../../../shared/sync/protocol';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, TestConsole, addStaff, api, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';
import { staffDirectoryEntry, SYNCED_ROW_LOADERS } from './rows';

let portal: TestPortal;
let adminToken: string;

beforeAll(async () => {
  portal = await startTestPortal();
  adminToken = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
});
afterAll(async () => {
  await portal.stop();
});

/** A console's replica: what it holds after applying every pulled page from its cursor. */
class Replica {
  readonly rows = new Map<string, unknown>();
  cursor: SyncCursor = { epoch: '', seq: 0 };

  async pull(): Promise<ChangeRecord[]> {
    const seen: ChangeRecord[] = [];
    for (;;) {
      const q = new URLSearchParams({ epoch: this.cursor.epoch, seq: String(this.cursor.seq), ...(this.cursor.check ? { check: this.cursor.check } : {}) });
      const res = await api<PullResponse>(portal.url, `/api/sync/pull?${q}`, { token: adminToken });
      expect(res.status).toBe(200);
      for (const c of res.body.changes) {
        seen.push(c);
        const key = `${c.table}:${c.op === 'delete' ? c.id : c.row.id}`;
        if (c.op === 'delete') {
          this.rows.delete(key);
        } else {
          this.rows.set(key, c.row);
        }
      }
      this.cursor = res.body.cursor;
      if (!res.body.more) {
        return seen;
      }
    }
  }
}

/** Every live row of every synced table, read from the server's own tables (not through the change log). */
async function serverRows(): Promise<Map<string, unknown>> {
  const all = new Map<string, unknown>();
  await portal.handle.context.db.read(async (m) => {
    const { clinicId } = await m.findOneByOrFail(StaffUserEntity, { username: TEST_CLINIC.adminUsername });
    for (const table of SYNCED_TABLES) {
      const ids = (await m.createQueryBuilder(entityNameOf(table), 't').select('t.id', 'id').getRawMany<{ id: string }>()).map((r) => r.id);
      for (const [id, row] of await SYNCED_ROW_LOADERS[table](m, ids, clinicId)) {
        all.set(`${table}:${id}`, row);
      }
    }
  });
  return all;
}

function entityNameOf(table: SyncedTable): string {
  const names: Partial<Record<SyncedTable, string>> = { patient: 'Patient', invitation: 'Invitation', staff: 'StaffUser', appointment: 'Appointment', renewal: 'RenewalRequest', thread: 'MessageThread', message: 'Message' };
  return names[table] ?? 'RecordEntry';
}

describe('one write path for synced rows', () => {
  it("a staff password reset reaches consoles: a change-log entry, a higher version, and the replica equals the server's row", async () => {
    const desk = await addStaff(portal.url, adminToken, 'resetme', 'receptionist');
    expect(desk).toBeTruthy();
    const replica = new Replica();
    await replica.pull();
    const db = portal.handle.context.db;
    const before = await db.read((m) => m.findOneByOrFail(StaffUserEntity, { username: 'resetme' }));
    const headBefore = await db.read((m) => m.count(ChangeLogEntity));

    const res = await api(portal.url, `/api/staff/users/${before.id}/password`, { token: adminToken, body: { password: 'NewDesk2Work' } });
    expect(res.status).toBeLessThan(300);

    const after = await db.read((m) => m.findOneByOrFail(StaffUserEntity, { id: before.id }));
    expect(after.passwordHash).not.toBe(before.passwordHash);
    expect(after.version).toBeGreaterThan(before.version);
    const entries = await db.read((m) => m.find(ChangeLogEntity, { where: { tableName: 'staff', rowId: before.id }, order: { seq: 'DESC' } }));
    expect(entries[0]?.version).toBe(after.version);
    expect(await db.read((m) => m.count(ChangeLogEntity))).toBe(headBefore + 1);

    const changes = await replica.pull();
    expect(changes.map((c) => (c.op === 'upsert' ? [c.table, c.row.id] : null))).toContainEqual(['staff', before.id]);
    expect(replica.rows.get(`staff:${before.id}`)).toEqual(staffDirectoryEntry(after));
  });

  it('a replica following the change log equals the server tables after every staff and desk write', async () => {
    const replica = new Replica();
    await replica.pull();
    const steps: [string, () => Promise<unknown>][] = [];
    const staffId = { value: '' };
    steps.push(['create staff', async () => {
      await addStaff(portal.url, adminToken, 'guard1', 'physician');
      staffId.value = (await portal.handle.context.db.read((m) => m.findOneByOrFail(StaffUserEntity, { username: 'guard1' }))).id;
    }]);
    steps.push(['deactivate staff', () => api(portal.url, `/api/staff/users/${staffId.value}`, { method: 'PATCH', token: adminToken, body: { active: false } })]);
    steps.push(['reactivate staff', () => api(portal.url, `/api/staff/users/${staffId.value}`, { method: 'PATCH', token: adminToken, body: { active: true } })]);
    steps.push(['reset staff password', () => api(portal.url, `/api/staff/users/${staffId.value}/password`, { token: adminToken, body: { password: 'Guard2Work' } })]);
    const desk = new TestConsole(portal.url, adminToken);
    const patient = { id: '', invitation: '' };
    steps.push(['pre-register with invitation', async () => {
      const r = await desk.preRegister({ email: 'guard@example.com' });
      Object.assign(patient, { id: r.patientId, invitation: r.invitationId });
    }]);
    steps.push(['deliver the mail (invitation sentAt)', () => portal.handle.flushMail()]);
    steps.push(['update patient', () => desk.push([desk.mutation('updatePatient', { patientId: patient.id, baseVersion: 1, changes: { phone: '555-0199' } })])]);
    steps.push(['resend invitation', () => desk.push([desk.mutation('sendInvitation', { patientId: patient.id, invitationId: randomUUID() })])]);
    steps.push(['revoke invitation', () => desk.push([desk.mutation('revokeInvitation', { invitationId: patient.invitation })])]);
    steps.push(['deliver again', () => portal.handle.flushMail()]);
    for (const [name, step] of steps) {
      await step();
      // The dispatcher writes invitations after commit: let it settle before comparing.
      await portal.handle.flushMail();
      await replica.pull();
      const server = await serverRows();
      expect(Object.fromEntries(replica.rows), `after "${name}"`).toEqual(Object.fromEntries(server));
    }
  });

  it('no feature writes a synced table or the change log by hand (only writeSynced.ts does)', () => {
    const root = 'portal-server/server';
    const synced = ['PatientEntity', 'InvitationEntity', 'StaffUserEntity', 'AppointmentEntity', 'RenewalRequestEntity', 'MessageThreadEntity', 'MessageEntity', 'RecordEntryEntity'];
    const write = new RegExp(`\\.(insert|update|save|delete|upsert|softDelete|remove|increment)\\(\\s*(${synced.join('|')})\\b|\\.(update|insert\\(\\)\\.into|delete\\(\\)\\.from)\\(\\s*(${synced.join('|')})\\b`);
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          walk(path);
        } else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) {
          files.push(path);
        }
      }
    };
    walk(root);
    expect(files.length).toBeGreaterThan(30);
    const offenders = files
      .filter((f) => !f.endsWith('features/sync/writeSynced.ts') && !f.endsWith('features/sync/changeLog.ts'))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `${relative('.', f)}:${i + 1}`, line }))
          .filter(({ line }) => write.test(line) || /\brecordChange\b/.test(line)),
      )
      .map(({ where, line }) => `${where}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });
});
