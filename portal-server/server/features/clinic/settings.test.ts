import { PATIENT_ANSWERS } from '../../../../test/fixtures/patients';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import type { ClinicPublicInfo, ClinicView } from '../../../../shared/domain/clinic';
import { AuditEventEntity, ClinicEntity, InvitationEntity } from '../../../../shared/node/entities/server';
import { waitForMail } from '../../../../test/fixtures/mail';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, TestConsole, addStaff, api, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let adminToken: string;
let deskToken: string;
let desk: TestConsole;

const DEFAULTS = {
  name: TEST_CLINIC.name,
  phone: TEST_CLINIC.phone,
  address: TEST_CLINIC.address,
  timeZone: TEST_CLINIC.timeZone,
  passwordPolicy: 'default',
  invitationLifetimeDays: 14,
  appointmentCancelHours: 24,
  staffTokenLifetimeDays: 30,
  staffTokenIdleDays: 7,
  messageRepliers: 'physicians_receptionists',
};

beforeAll(async () => {
  portal = await startTestPortal();
  adminToken = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  deskToken = await addStaff(portal.url, adminToken, 'frontdesk', 'receptionist');
  desk = new TestConsole(portal.url, deskToken);
});
afterAll(async () => {
  await portal.stop();
});
beforeEach(async () => {
  expect((await patchClinic(adminToken, DEFAULTS)).status).toBe(200);
});

const patchClinic = (token: string | undefined, body: unknown) => api<ClinicView & ApiErrorResponse>(portal.url, '/api/staff/clinic', { method: 'PATCH', token, body });
const clinicRow = () => portal.handle.context.db.read((m) => m.find(ClinicEntity));
const auditCount = () => portal.handle.context.db.read((m) => m.countBy(AuditEventEntity, { action: 'clinic.update' }));

describe('PATCH /api/staff/clinic', () => {
  it('lets an admin change the settings; GET /api/clinic and /api/staff/me show them; the audit names the fields only', async () => {
    const before = await auditCount();
    const res = await patchClinic(adminToken, { ...DEFAULTS, name: 'Maple Street Family Clinic', phone: '(555) 765-4321', timeZone: 'America/Denver', appointmentCancelHours: 48 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Maple Street Family Clinic', phone: '(555) 765-4321', timeZone: 'America/Denver', appointmentCancelHours: 48, invitationLifetimeDays: 14 });

    const pub = await api<ClinicPublicInfo>(portal.url, '/api/clinic');
    expect(pub.body).toMatchObject({ name: 'Maple Street Family Clinic', phone: '(555) 765-4321', timeZone: 'America/Denver', passwordPolicy: 'default' });
    const me = await api<{ clinic: ClinicView }>(portal.url, '/api/staff/me', { token: deskToken });
    expect(me.body.clinic).toMatchObject({ name: 'Maple Street Family Clinic', appointmentCancelHours: 48 });

    expect(await auditCount()).toBe(before + 1);
    const [event] = await portal.handle.context.db.read((m) => m.find(AuditEventEntity, { where: { action: 'clinic.update' }, order: { at: 'DESC' }, take: 1 }));
    expect(event?.detail).toBe('fields=name,phone,timeZone,appointmentCancelHours');
    expect(event?.detail).not.toContain('Denver');
    expect(event?.actorKind).toBe('staff');
  });

  it('keeps a field the request leaves out, and writes nothing when nothing changes', async () => {
    const res = await patchClinic(adminToken, { appointmentCancelHours: 0 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...DEFAULTS, appointmentCancelHours: 0 });
    const before = await auditCount();
    const again = await patchClinic(adminToken, { appointmentCancelHours: 0 });
    expect(again.status).toBe(200);
    expect(await auditCount()).toBe(before);
  });

  it('refuses a receptionist with 403 and changes nothing', async () => {
    const rowBefore = await clinicRow();
    const auditsBefore = await auditCount();
    const res = await patchClinic(deskToken, { ...DEFAULTS, name: 'Taken Over Clinic', passwordPolicy: 'strong' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(await clinicRow()).toEqual(rowBefore);
    expect(await auditCount()).toBe(auditsBefore);
    expect((await patchClinic(undefined, { name: 'Nobody' })).status).toBe(401);
    expect(await clinicRow()).toEqual(rowBefore);
  });

  it('answers invalid values with field errors and changes nothing', async () => {
    const rowBefore = await clinicRow();
    const auditsBefore = await auditCount();
    const res = await patchClinic(adminToken, {
      name: '  ',
      timeZone: 'Mars/Olympus_Mons',
      passwordPolicy: 'weak',
      invitationLifetimeDays: 0,
      appointmentCancelHours: 12.5,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.fields).toEqual({
      name: "Enter the clinic's name.",
      timeZone: 'Choose a time zone such as America/New_York.',
      passwordPolicy: 'Choose a password policy.',
      invitationLifetimeDays: 'Enter a whole number of days from 1 to 90.',
      appointmentCancelHours: 'Enter a whole number of hours from 0 to 168.',
    });
    const tooMany = await patchClinic(adminToken, { invitationLifetimeDays: 91, appointmentCancelHours: 169 });
    expect(Object.keys(tooMany.body.error.fields ?? {}).sort()).toEqual(['appointmentCancelHours', 'invitationLifetimeDays']);
    expect(await clinicRow()).toEqual(rowBefore);
    expect(await auditCount()).toBe(auditsBefore);
  });

  it('checks the console sign-in limits and who may answer patients, and changes nothing when one is wrong', async () => {
    const rowBefore = await clinicRow();
    const res = await patchClinic(adminToken, { staffTokenLifetimeDays: 0, staffTokenIdleDays: 91, messageRepliers: 'everyone' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual({
      staffTokenLifetimeDays: 'Enter a whole number of days from 1 to 365.',
      staffTokenIdleDays: 'Enter a whole number of days from 1 to 90.',
      messageRepliers: 'Choose who may answer patients.',
    });
    const idleTooLong = await patchClinic(adminToken, { staffTokenLifetimeDays: 5, staffTokenIdleDays: 6 });
    expect(idleTooLong.body.error.fields).toEqual({ staffTokenIdleDays: 'The unused limit cannot be longer than the sign-in lifetime.' });
    expect(await clinicRow()).toEqual(rowBefore);

    const ok = await patchClinic(adminToken, { staffTokenLifetimeDays: 5, staffTokenIdleDays: 2, messageRepliers: 'physicians' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ staffTokenLifetimeDays: 5, staffTokenIdleDays: 2, messageRepliers: 'physicians' });
  });

  it('gives the next invitation the new lifetime; an earlier invitation keeps its own', async () => {
    const first = await desk.preRegister({ email: 'first.lifetime@example.com' });
    expect((await patchClinic(adminToken, { invitationLifetimeDays: 3 })).status).toBe(200);
    const sentAt = Date.now();
    const second = await desk.preRegister({ email: 'second.lifetime@example.com', givenName: 'Ana' });
    const expiresIn = async (id: string) => {
      const row = await portal.handle.context.db.read((m) => m.findOneByOrFail(InvitationEntity, { id }));
      return new Date(row.expiresAt).getTime() - new Date(row.createdAt).getTime();
    };
    expect(await expiresIn(first.invitationId)).toBe(14 * 86_400_000);
    expect(await expiresIn(second.invitationId)).toBe(3 * 86_400_000);
    const row = await portal.handle.context.db.read((m) => m.findOneByOrFail(InvitationEntity, { id: second.invitationId }));
    expect(Math.abs(new Date(row.expiresAt).getTime() - (sentAt + 3 * 86_400_000))).toBeLessThan(60_000);
  });

  it('the strong password policy applies at the next registration: "Password1" is refused with its rule', async () => {
    expect((await patchClinic(adminToken, { passwordPolicy: 'strong' })).status).toBe(200);
    expect((await api<ClinicPublicInfo>(portal.url, '/api/clinic')).body.passwordPolicy).toBe('strong');

    const { response } = await desk.preRegister({ email: 'strong.policy@example.com', givenName: 'Sam' });
    expect(response.outcomes[0]).toMatchObject({ status: 'applied' });
    await portal.handle.flushMail();
    const mail = await waitForMail(portal.mailDir, 'strong.policy@example.com');
    const token = new URL(mail.link ?? '').hash.replace('#token=', '');
    const form = {
      token,
      username: 'SamStrong1',
      ...PATIENT_ANSWERS,
      dateOfBirth: '04/12/1986',
      registrationId: mail.registrationId ?? '',
    };
    const refused = await api<ApiErrorResponse>(portal.url, '/api/registration', { body: form });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields?.password).toBe('Password must contain between 15 and 64 characters.');

    const passphrase = 'maple river lantern';
    const accepted = await api<{ username: string }>(portal.url, '/api/registration', { body: { ...form, password: passphrase, confirmPassword: passphrase } });
    expect(accepted.status).toBe(201);
  });
});
