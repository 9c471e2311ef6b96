import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import type { StaffDeviceView } from '../../../../shared/api/staffSecurity';
import { AuditEventEntity, DeviceEntity } from '../../../../shared/node/entities/server';
import type { ClinicTeam } from '../../../../test/fixtures/patients';
import { clinicTeam } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { api, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let team: ClinicTeam;

beforeAll(async () => {
  portal = await startTestPortal();
  team = await clinicTeam(portal);
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
const devices = (token: string) => api<StaffDeviceView[] & ApiErrorResponse>(portal.url, '/api/staff/devices', { token });
const revoke = (id: string, token: string) => api<StaffDeviceView & ApiErrorResponse>(portal.url, `/api/staff/devices/${id}/revoke`, { method: 'POST', token });

describe('GET /api/staff/devices', () => {
  it('lists every console with its staff member for an admin', async () => {
    const res = await devices(team.admin.console.token);
    expect(res.status).toBe(200);
    const desk = res.body.find((d) => d.staffUserId === team.desk.id);
    expect(desk).toEqual({
      id: expect.any(String) as string,
      name: 'test',
      staffUserId: team.desk.id,
      staffName: 'Dana Desk',
      createdAt: expect.any(String) as string,
      lastSeenAt: expect.any(String) as string,
      revokedAt: null,
    });
    expect(res.body.map((d) => d.staffName)).toEqual(expect.arrayContaining(['Alex Admin', 'Dana Desk', 'Dr. Sam Patel']));
    // No token hashes leave the server.
    expect(JSON.stringify(res.body)).not.toMatch(/tokenHash|[0-9a-f]{64}/);
  });

  it('refuses receptionists and physicians', async () => {
    expect((await devices(team.desk.console.token)).status).toBe(403);
    expect((await devices(team.doctor.console.token)).status).toBe(403);
  });
});

describe('POST /api/staff/devices/:id/revoke', () => {
  it('stops the console at once, shows it revoked, audits once, and is idempotent', async () => {
    const nurse = await team.add('desk2', 'Robin Desk', 'receptionist');
    const second = await signInStaff(portal.url, 'desk2', 'Staff2Work');
    expect((await api(portal.url, '/api/staff/me', { token: nurse.console.token })).status).toBe(200);
    // The console `team.add` signed in (nurse.console), not the second one.
    const consoleToRevoke = (await db().read((m) => m.findBy(DeviceEntity, { staffUserId: nurse.id }))).find((d) => d.id !== second.deviceId);
    expect(consoleToRevoke).toBeDefined();

    const res = await revoke(consoleToRevoke?.id ?? '', team.admin.console.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: consoleToRevoke?.id, staffUserId: nurse.id, staffName: 'Robin Desk' });
    expect(res.body.revokedAt).not.toBeNull();

    // The revoked token is refused on the very next request, on every staff route.
    const me = await api<ApiErrorResponse>(portal.url, '/api/staff/me', { token: nurse.console.token });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('not_signed_in');
    expect((await nurse.console.push([])).status).toBe(401);
    expect((await api(portal.url, '/api/sync/pull?epoch=&seq=0', { token: nurse.console.token })).status).toBe(401);
    // The person's other console keeps working.
    expect((await api(portal.url, '/api/staff/me', { token: second.token })).status).toBe(200);

    const again = await revoke(consoleToRevoke?.id ?? '', team.admin.console.token);
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(res.body.revokedAt);
    const events = await db().read((m) => m.findBy(AuditEventEntity, { action: 'staff.device_revoke', entityId: consoleToRevoke?.id }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorKind: 'staff', actorId: team.admin.id, entity: 'device', detail: `owner=${nurse.id}` });

    const listed = (await devices(team.admin.console.token)).body.find((d) => d.id === consoleToRevoke?.id);
    expect(listed?.revokedAt).toBe(res.body.revokedAt);
  });

  it('refuses a non-admin and changes nothing; unknown and malformed ids are not found', async () => {
    const row = await db().read((m) => m.findOneByOrFail(DeviceEntity, { staffUserId: team.doctor.id }));
    const refused = await revoke(row.id, team.desk.console.token);
    expect(refused.status).toBe(403);
    expect((await db().read((m) => m.findOneByOrFail(DeviceEntity, { id: row.id }))).revokedAt).toBeNull();
    expect((await api(portal.url, '/api/staff/me', { token: team.doctor.console.token })).status).toBe(200);
    expect((await revoke(randomUUID(), team.admin.console.token)).status).toBe(404);
    expect((await revoke("x' OR '1'='1", team.admin.console.token)).status).toBe(404);
    expect((await revoke(row.id, 'not-a-real-token-but-long-enough')).status).toBe(401);
  });
});
