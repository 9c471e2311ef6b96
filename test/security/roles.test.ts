import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostilePortal, PatientBrowser, TableName } from './helpers';
import { DOMAIN_TABLES, Desk, expectRefused, http, signInPatient, startHostilePortal } from './helpers';
import { SYNC_PROTOCOL_VERSION } from '../../shared/sync/protocol';

/** Role escalation: the server judges every staff action by the signed-in person's role, never by what a console claims. */
let hp: HostilePortal;
let ana: PatientBrowser;
let pendingRenewal: { id: string; version: number };
let medication: { id: string; version: number; fields: string };

beforeAll(async () => {
  hp = await startHostilePortal();
  ana = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
  [pendingRenewal] = (await hp.rows<{ id: string; version: number }>("SELECT id, version FROM renewal_request WHERE patientId = ? AND status = 'requested'", [hp.ana.patientId])) as [typeof pendingRenewal];
  [medication] = (await hp.rows<{ id: string; version: number; fields: string }>("SELECT id, version, fields FROM record_entry WHERE patientId = ? AND kind = 'medication'", [hp.ana.patientId])) as [typeof medication];
});
afterAll(async () => {
  await hp.stop();
});

const STAFF_TABLES: TableName[] = ['staff_user', 'device', 'change_log'];
/** The device row behind a console's token (the one an attacker would revoke). */
const deviceIdOf = async (desk: Desk): Promise<string> =>
  (await hp.rows<{ id: string }>('SELECT id FROM device WHERE staffUserId = ? AND revokedAt IS NULL', [desk.staffId]))[0]?.id ?? '';
const forbidden = { seq: expect.any(Number), status: 'rejected', error: { code: 'forbidden', message: expect.any(String) } };

describe('physician-only mutations pushed by a receptionist', () => {
  it('decideRenewal is rejected as forbidden: the renewal stays requested and no refill is added', async () => {
    const before = await hp.snapshot();
    const outcome = await hp.receptionist.apply('decideRenewal', { renewalId: pendingRenewal.id, decision: 'approved', note: '', refillsGranted: 99, baseVersion: pendingRenewal.version });
    expect(outcome).toEqual(forbidden);
    expect(await hp.snapshot()).toEqual(before);
  });

  it('saveRecordEntry cannot add an entry to the record', async () => {
    const before = await hp.snapshot();
    const outcome = await hp.receptionist.apply('saveRecordEntry', {
      kind: 'allergy',
      entryId: randomUUID(),
      patientId: hp.ana.patientId,
      fields: { substance: 'Made up', reaction: 'None', severity: 'mild' },
      baseVersion: 0,
    });
    expect(outcome).toEqual(forbidden);
    expect(await hp.snapshot()).toEqual(before);
  });

  it('saveRecordEntry cannot change an existing medication', async () => {
    const before = await hp.snapshot();
    const fields = { ...(JSON.parse(medication.fields) as Record<string, unknown>), refillsLeft: 99 };
    const outcome = await hp.receptionist.apply('saveRecordEntry', { kind: 'medication', entryId: medication.id, patientId: hp.ana.patientId, fields, baseVersion: medication.version } as never);
    expect(outcome).toEqual(forbidden);
    expect(await hp.snapshot()).toEqual(before);
  });

  it('deleteRecordEntry cannot remove a medication', async () => {
    const before = await hp.snapshot();
    const outcome = await hp.receptionist.apply('deleteRecordEntry', { kind: 'medication', entryId: medication.id, baseVersion: medication.version });
    expect(outcome).toEqual(forbidden);
    expect(await hp.snapshot()).toEqual(before);
  });

  it('an admin is no physician either: renewal decisions and record changes are refused', async () => {
    const before = await hp.snapshot();
    const decide = await hp.admin.apply('decideRenewal', { renewalId: pendingRenewal.id, decision: 'denied', note: 'No', refillsGranted: null, baseVersion: pendingRenewal.version });
    const remove = await hp.admin.apply('deleteRecordEntry', { kind: 'medication', entryId: medication.id, baseVersion: medication.version });
    expect([decide, remove]).toEqual([forbidden, forbidden]);
    expect(await hp.snapshot()).toEqual(before);
  });

  it("ignores the role and staff id a console claims: the physician's id in the mutation does not make a receptionist a physician", async () => {
    const before = await hp.snapshot();
    const forged = new Desk(hp.url, hp.receptionist.token, hp.physician.staffId);
    const mutation = forged.mutation('decideRenewal', { renewalId: pendingRenewal.id, decision: 'approved', note: '', refillsGranted: 5, baseVersion: pendingRenewal.version });
    const res = await forged.push([{ ...mutation, role: 'physician', args: { ...mutation.args, role: 'physician', staffUserId: hp.physician.staffId } } as typeof mutation]);
    expect(res.body.outcomes).toEqual([forbidden]);
    expect(await hp.snapshot()).toEqual(before);
  });
});

describe('admin-only staff routes', () => {
  it('refuse a receptionist and a physician: listing, creating, deactivating and resetting staff — and change nothing', async () => {
    const before = await hp.snapshot(STAFF_TABLES);
    for (const who of [hp.receptionist, hp.physician]) {
      expectRefused(await who.call('/api/staff/users'), 403, 'forbidden');
      expectRefused(await who.call('/api/staff/users', { body: { username: 'sneaky01', displayName: 'Sneaky', role: 'admin', password: 'Sneaky2Admin' } }), 403, 'forbidden');
      expectRefused(await who.call(`/api/staff/users/${hp.admin.staffId}`, { method: 'PATCH', body: { active: false } }), 403, 'forbidden');
      expectRefused(await who.call(`/api/staff/users/${hp.admin.staffId}/password`, { body: { password: 'Taken2Over' } }), 403, 'forbidden');
    }
    expect(await hp.snapshot(STAFF_TABLES)).toEqual(before);
    // The admin's console still works: its password was not reset, its device not revoked.
    expect((await hp.admin.call('/api/staff/users')).status).toBe(200);
  });
});

describe('staff security tools', () => {
  it('a physician cannot unlock a patient, send a reset link, list or revoke consoles, or read the audit log — and nothing changes', async () => {
    const before = await hp.snapshot([...DOMAIN_TABLES, 'device', 'patient_session']);
    const doctor = hp.physician;
    expectRefused(await doctor.call(`/api/staff/patients/${hp.ana.patientId}/unlock-account`, { method: 'POST' }), 403, 'forbidden');
    expectRefused(await doctor.call(`/api/staff/patients/${hp.ana.patientId}/password-reset`, { method: 'POST' }), 403, 'forbidden');
    expectRefused(await doctor.call('/api/staff/devices'), 403, 'forbidden');
    expectRefused(await doctor.call(`/api/staff/devices/${await deviceIdOf(hp.admin)}/revoke`, { method: 'POST' }), 403, 'forbidden');
    expectRefused(await doctor.call('/api/staff/audit'), 403, 'forbidden');
    expect(await hp.snapshot([...DOMAIN_TABLES, 'device', 'patient_session'])).toEqual(before);
  });

  it("a receptionist cannot list or revoke consoles (not even to lock out the admin) or read the audit log", async () => {
    const before = await hp.snapshot([...DOMAIN_TABLES, 'device']);
    const desk = hp.receptionist;
    expectRefused(await desk.call('/api/staff/devices'), 403, 'forbidden');
    expectRefused(await desk.call(`/api/staff/devices/${await deviceIdOf(hp.admin)}/revoke`, { method: 'POST' }), 403, 'forbidden');
    expectRefused(await desk.call(`/api/staff/audit?patientId=${hp.ana.patientId}`), 403, 'forbidden');
    expect(await hp.snapshot([...DOMAIN_TABLES, 'device'])).toEqual(before);
    expect((await hp.admin.call('/api/staff/me')).status).toBe(200);
  });
});

describe('crossing between the patient and staff APIs', () => {
  it("refuses a patient's session on the staff and sync APIs, and a staff token on the patient API", async () => {
    const before = await hp.snapshot();
    const cookie = { cookie: ana.cookieHeader, 'x-csrf-token': ana.csrfToken, origin: hp.url, 'x-sync-protocol': String(SYNC_PROTOCOL_VERSION) };
    expectRefused(await http(hp.url, '/api/staff/users', { headers: cookie }), 401, 'not_signed_in');
    expectRefused(await http(hp.url, '/api/sync/pull?epoch=&seq=0', { headers: cookie }), 401, 'not_signed_in');
    expectRefused(await http(hp.url, '/api/sync/push', { body: { clientId: randomUUID(), mutations: [] }, headers: cookie }), 401, 'not_signed_in');
    const bearer = { authorization: `Bearer ${hp.physician.token}` };
    expectRefused(await http(hp.url, '/api/record/view', { body: {}, headers: bearer }), 401, 'not_signed_in');
    expectRefused(await http(hp.url, '/api/messages', { body: { subject: 'From staff', body: 'As a patient' }, headers: bearer }), 401, 'not_signed_in');
    expect(await hp.snapshot()).toEqual(before);
  });
});
