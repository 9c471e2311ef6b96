import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentView } from '../../shared/domain/appointment';
import type { RenewalView } from '../../shared/domain/renewal';
import type { ThreadView } from '../../shared/domain/message';
import type { HostilePortal, PatientBrowser } from './helpers';
import { expectRefused, futureSlot, signInPatient, startHostilePortal } from './helpers';

/**
 * Mass assignment: fields a request has no business setting (role, clinicId, status, patientId,
 * version, id …) are dropped before anything is written, or the request is refused.
 */
let hp: HostilePortal;
let james: PatientBrowser;
let clinicId: string;

const FOREIGN = { clinicId: randomUUID(), version: 99, createdAt: '2000-01-01T00:00:00.000Z', deletedAt: '2000-01-01T00:00:00.000Z' };

beforeAll(async () => {
  hp = await startHostilePortal();
  james = await signInPatient(hp.url, hp.james.username, hp.james.password);
  clinicId = (await hp.rows<{ id: string }>('SELECT id FROM clinic'))[0]?.id ?? '';
});
afterAll(async () => {
  await hp.stop();
});

const row = async (table: string, id: string): Promise<Record<string, unknown>> => (await hp.rows<Record<string, unknown>>(`SELECT * FROM "${table}" WHERE id = ?`, [id]))[0] ?? {};

describe('staff accounts', () => {
  it('an admin creating staff cannot set the id, clinic, active flag, version or password hash', async () => {
    const id = randomUUID();
    const adminBefore = await row('staff_user', hp.admin.staffId);
    const res = await hp.admin.call<{ id: string }>('/api/staff/users', {
      body: { username: 'newdesk01', displayName: 'New Desk', role: 'receptionist', password: 'NewDesk2Go', id, ...FOREIGN, active: false, passwordHash: 'x', usernameNormalized: 'clinicadmin' },
    });
    expect(res.status).toBe(201);
    const created = await row('staff_user', res.body.id);
    expect(res.body.id).not.toBe(id);
    expect({ ...created, active: Boolean(created.active) }).toMatchObject({ clinicId, role: 'receptionist', active: true, version: 1, deletedAt: null, usernameNormalized: 'newdesk01' });
    expect(String(created.passwordHash)).toMatch(/^\$argon2id\$/);
    expect(await row('staff_user', hp.admin.staffId)).toEqual(adminBefore);
  });

  it('a role outside receptionist, physician and admin is refused, and nothing is created', async () => {
    const before = await hp.snapshot();
    const res = await hp.admin.call('/api/staff/users', { body: { username: 'rootuser', displayName: 'Root', role: 'superadmin', password: 'Root2Power' } });
    expectRefused(res, 400, 'validation_failed');
    expect(await hp.snapshot()).toEqual(before);
  });
});

describe("a patient's requests", () => {
  it('an appointment request cannot pick its status, physician, time, patient, id or version', async () => {
    const id = randomUUID();
    const res = await james.send<AppointmentView>('/api/appointments', {
      reason: 'Check-up',
      preferredPhysicianId: null,
      preferredTimes: 'Mornings',
      id,
      patientId: hp.ana.patientId,
      status: 'scheduled',
      physicianId: hp.physician.staffId,
      startAt: futureSlot(5),
      endAt: futureSlot(5, 16),
      staffNote: 'Approved by the desk',
      ...FOREIGN,
    });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(id);
    expect(await row('appointment', res.body.id)).toMatchObject({ patientId: hp.james.patientId, clinicId, status: 'requested', physicianId: null, startAt: null, endAt: null, staffNote: null, version: 1, deletedAt: null });
  });

  it('a renewal request cannot approve itself, rename the medication or file it under another patient', async () => {
    const [medication] = await hp.rows<{ id: string }>("SELECT id FROM record_entry WHERE patientId = ? AND kind = 'medication' AND fields LIKE '%Atorvastatin%'", [hp.james.patientId]);
    const res = await james.send<RenewalView>('/api/renewals', {
      medicationId: medication?.id,
      pharmacy: 'Main Street',
      note: '',
      status: 'approved',
      patientId: hp.ana.patientId,
      medicationName: 'Oxycodone',
      decidedById: hp.physician.staffId,
      decisionNote: 'Approved',
      refillsGranted: 99,
      ...FOREIGN,
    });
    expect(res.status).toBe(201);
    expect(await row('renewal_request', res.body.id)).toMatchObject({ patientId: hp.james.patientId, clinicId, status: 'requested', medicationName: 'Atorvastatin', decidedById: null, decisionNote: null, version: 1, deletedAt: null });
    expect(JSON.parse(String((await row('record_entry', medication?.id ?? '')).fields))).toMatchObject({ refillsLeft: 3 });
  });

  it('a new message cannot choose its patient, author, assignee or status', async () => {
    const res = await james.send<ThreadView>('/api/messages', {
      subject: 'Question',
      body: 'Hello',
      patientId: hp.ana.patientId,
      assignedStaffId: hp.physician.staffId,
      status: 'closed',
      authorKind: 'staff',
      authorStaffId: hp.physician.staffId,
      authorName: 'Dr. Sam Patel',
      unreadForStaff: 0,
      ...FOREIGN,
    });
    expect(res.status).toBe(201);
    expect(await row('message_thread', res.body.id)).toMatchObject({ patientId: hp.james.patientId, clinicId, assignedStaffId: null, status: 'open', unreadForStaff: 1, version: 1 });
    const messages = await hp.rows<Record<string, unknown>>('SELECT * FROM message WHERE threadId = ?', [res.body.id]);
    expect(messages).toEqual([expect.objectContaining({ authorKind: 'patient', authorStaffId: null, authorName: 'James Walker', patientId: hp.james.patientId, body: 'Hello' })]);
  });

  it("a reply goes to the thread in the address, never to a threadId in the body (another patient's thread stays untouched)", async () => {
    const [own] = await hp.rows<{ id: string }>('SELECT id FROM message_thread WHERE patientId = ?', [hp.james.patientId]);
    const [anas] = await hp.rows<{ id: string }>('SELECT id FROM message_thread WHERE patientId = ?', [hp.ana.patientId]);
    const before = await hp.snapshot(['message_thread', 'message']);
    const anaThreadBefore = await row('message_thread', anas?.id ?? '');
    const res = await james.send<ThreadView>(`/api/messages/${own?.id}/replies`, { body: 'Reply', threadId: anas?.id, patientId: hp.ana.patientId, authorKind: 'staff' });
    expect(res.status).toBe(201);
    expect(await row('message_thread', anas?.id ?? '')).toEqual(anaThreadBefore);
    const after = await hp.snapshot(['message']);
    expect(after.message?.length).toBe((before.message?.length ?? 0) + 1);
    expect(await hp.count('message', 'threadId = ?', [anas?.id])).toBe(1);
  });
});

describe('console mutations', () => {
  it('pre-registration and patient edits ignore clinicId, version, deletedAt and ids smuggled into their arguments', async () => {
    const patientId = randomUUID();
    const created = await hp.receptionist.apply('preRegisterPatient', {
      patientId,
      givenName: 'Pat',
      familyName: 'Doe',
      dateOfBirth: '1980-01-01',
      email: 'pat.doe@example.com',
      phone: '',
      invitationId: null,
      ...FOREIGN,
    } as never);
    expect(created.status).toBe('applied');
    expect(await row('patient', patientId)).toMatchObject({ clinicId, version: 1, deletedAt: null });
    const edited = await hp.receptionist.apply('updatePatient', {
      patientId,
      baseVersion: 1,
      changes: { givenName: 'Patricia', id: hp.james.patientId, ...FOREIGN } as never,
    });
    expect(edited.status).toBe('applied');
    expect(await row('patient', patientId)).toMatchObject({ id: patientId, givenName: 'Patricia', clinicId, version: 2, deletedAt: null });
    expect(await row('patient', hp.james.patientId)).toMatchObject({ givenName: 'James' });
  });
});
