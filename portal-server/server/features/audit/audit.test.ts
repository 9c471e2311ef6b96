import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import type { AuditEventView } from '../../../../shared/api/staffSecurity';
import { AuditEventEntity } from '../../../../shared/node/entities/server';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicTeam, registerPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { api, startTestPortal } from '../../../../test/fixtures/portal';
import { audit } from './audit';

let portal: TestPortal;
let team: ClinicTeam;
let alma: PatientClient;
let bert: PatientClient;

beforeAll(async () => {
  portal = await startTestPortal();
  team = await clinicTeam(portal);
  alma = await registerPatient(portal, team.desk.console, { givenName: 'Alma', familyName: 'Audit' });
  bert = await registerPatient(portal, team.desk.console, { givenName: 'Bert', familyName: 'Other' });
  // Delivery is audited too (invitation.mailed): let the dispatcher finish before reading the log.
  await portal.handle.flushMail();
  expect((await alma.post('/api/appointments', { reason: 'Checkup', preferredPhysicianId: null, preferredTimes: 'Mornings' })).status).toBe(201);
  expect((await alma.post('/api/messages', { subject: 'Question', body: 'Hello' })).status).toBe(201);
  expect((await bert.post('/api/messages', { subject: 'Other question', body: 'Hi' })).status).toBe(201);
  expect((await api(portal.url, '/api/session', { body: { username: 'nobody-at-all', password: 'Wrong1234' } })).status).toBe(401);
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
const query = (qs: string, token = team.admin.console.token) => api<AuditEventView[] & ApiErrorResponse>(portal.url, `/api/staff/audit${qs}`, { token });
const eventCount = () => db().read((m) => m.count(AuditEventEntity));

describe('GET /api/staff/audit', () => {
  it('lists events newest first with who acted and which patient they are about', async () => {
    const res = await query('');
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(10);
    const times = res.body.map((e) => e.at);
    expect(times).toEqual([...times].sort().reverse());
    const started = res.body.find((e) => e.action === 'thread.start' && e.patientId === alma.patientId);
    expect(started).toMatchObject({ actorKind: 'patient', actorName: 'Alma Audit', entity: 'thread', patientName: 'Alma Audit' });
    const invited = res.body.find((e) => e.action === 'invitation.create' && e.patientId === bert.patientId);
    expect(invited).toMatchObject({ actorKind: 'staff', actorId: team.desk.id, actorName: 'Dana Desk', entity: 'invitation', patientName: 'Bert Other' });
  });

  it('filters by patient: the patient row, their appointments, threads and invitations, and what they did signed in', async () => {
    const res = await query(`?patientId=${alma.patientId}&limit=200`);
    expect(res.status).toBe(200);
    expect(res.body.every((e) => e.patientId === alma.patientId && e.patientName === 'Alma Audit')).toBe(true);
    expect(new Set(res.body.map((e) => e.action))).toEqual(
      new Set(['patient.pre_register', 'invitation.create', 'invitation.mailed', 'patient.register', 'patient.sign_in', 'appointment.request', 'thread.start']),
    );
  });

  it('filters by actor, by action prefix (literally) and by time', async () => {
    const byDesk = await query(`?actorId=${team.desk.id}`);
    expect(byDesk.body.length).toBeGreaterThan(0);
    expect(byDesk.body.every((e) => e.actorId === team.desk.id)).toBe(true);

    const signIns = await query('?action=patient.sign_in');
    expect(new Set(signIns.body.map((e) => e.action))).toEqual(new Set(['patient.sign_in', 'patient.sign_in_failed']));
    expect(signIns.body.find((e) => e.action === 'patient.sign_in_failed')?.detail).toBe('reason=unknown_username');
    // `_` is an ordinary character, not "any character".
    expect((await query('?action=patient_sign')).body).toEqual([]);

    const all = (await query('?limit=200')).body;
    const middle = all[Math.floor(all.length / 2)]?.at ?? '';
    expect((await query(`?from=${encodeURIComponent(middle)}&limit=200`)).body.every((e) => e.at >= middle)).toBe(true);
    const until = (await query(`?to=${encodeURIComponent(middle)}&limit=200`)).body;
    expect(until.length).toBeGreaterThan(0);
    expect(until.every((e) => e.at <= middle)).toBe(true);
  });

  it('pages with `before` and caps `limit` at 200', async () => {
    const six = (await query('?limit=6')).body;
    const first = (await query('?limit=3')).body;
    const second = (await query(`?limit=3&before=${first[2]?.id ?? ''}`)).body;
    expect([...first, ...second].map((e) => e.id)).toEqual(six.map((e) => e.id));

    const clinicId = (await db().read((m) => m.findOneByOrFail(AuditEventEntity, { action: 'invitation.create' }))).clinicId;
    await db().write(async (m) => {
      for (let i = 0; i < 205; i += 1) {
        await audit(m, clinicId, { kind: 'system', id: null }, 'test.bulk', null, new Date());
      }
    });
    expect((await query('?action=test.bulk&limit=500')).body).toHaveLength(200);
    expect((await query('?action=test.bulk')).body).toHaveLength(50);
  });

  it('refuses malformed filters with field errors, and treats hostile text as plain text', async () => {
    const before = await eventCount();
    const hostile = ["' OR '1'='1", "1; DROP TABLE audit_event; --", '") OR 1=1 --', '%', '_%'];
    for (const s of hostile) {
      for (const field of ['actorId', 'patientId', 'before', 'from', 'to', 'limit']) {
        const res = await query(`?${field}=${encodeURIComponent(s)}`);
        expect(res.status, `${field}=${s}`).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
        expect(Object.keys(res.body.error.fields ?? {})).toEqual([field]);
      }
      const action = await query(`?action=${encodeURIComponent(s)}`);
      expect(action.status).toBe(200);
      expect(action.body).toEqual([]);
    }
    expect((await query('?action=a&action=b')).status).toBe(400);
    expect((await query('?limit=0')).status).toBe(400);
    expect((await query(`?action=${'x'.repeat(65)}`)).status).toBe(400);
    // Nothing was dropped or changed, and reading the log wrote nothing to it.
    expect(await eventCount()).toBe(before);
  });

  it('is for admins only', async () => {
    expect((await query('', team.desk.console.token)).status).toBe(403);
    expect((await query('', team.doctor.console.token)).status).toBe(403);
    expect((await api(portal.url, '/api/staff/audit')).status).toBe(401);
  });
});

describe('the audit log is append-only', () => {
  it('the database refuses to update or delete an event', async () => {
    const before = await eventCount();
    await expect(db().write((m) => m.query(`UPDATE audit_event SET action = 'changed'`))).rejects.toThrow(/append-only/);
    await expect(db().write((m) => m.query('DELETE FROM audit_event'))).rejects.toThrow(/append-only/);
    expect(await eventCount()).toBe(before);
    expect(await db().read((m) => m.countBy(AuditEventEntity, { action: 'changed' }))).toBe(0);
  });

  it('no server or console code updates or deletes audit events (only audit() inserts them)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          if (name !== 'node_modules' && name !== 'migrations') {
            walk(path);
          }
        } else if (/\.ts$/.test(name) && !/\.test\.ts$/.test(name)) {
          files.push(path);
        }
      }
    };
    for (const root of ['portal-server/server', 'src-main', 'shared']) {
      walk(root);
    }
    const offenders = files.filter((f) => {
      const text = readFileSync(f, 'utf8');
      return (
        /\b(update|delete|remove|softDelete|save|upsert|increment|decrement|clear)\s*\(\s*AuditEventEntity/.test(text) ||
        /(UPDATE|DELETE\s+FROM)\s+["`]?audit_event/i.test(text) ||
        (/\.(update|delete)\(\)/.test(text) && /AuditEventEntity/.test(text) && !f.endsWith(join('audit', 'query.ts')))
      );
    });
    expect(offenders).toEqual([]);
    expect(files.filter((f) => /insert\(\s*AuditEventEntity/.test(readFileSync(f, 'utf8')))).toEqual([join('portal-server', 'server', 'features', 'audit', 'audit.ts')]);
  });
});
