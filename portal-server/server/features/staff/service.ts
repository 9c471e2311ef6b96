import type { EntityManager } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import type { CreateStaffRequest, SecondFactorEnrolment, StaffSignInResponse } from '../../../../shared/api/types';
import { secondFactorRequired } from '../../../../shared/domain/clinic';
import type { StaffRole, StaffUserView } from '../../../../shared/domain/staff';
import { ClinicEntity, DeviceEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import type { ClinicRow, DeviceRow, StaffUserRow } from '../../../../shared/node/entities/server';
import { hashPassword, keyedHash, newId, randomToken } from '../../../../shared/node/secrets';
import { boolean, object, string } from 'yup';
import { validateOrThrow } from '../../../../shared/validation/validate';
import { staffPasswordSchema, staffUserSchema } from '../../../../shared/validation/staff';
import { requireHardToGuess } from '../password-strength/strength';
import type { ServerContext } from '../../context';
import type { Actor } from '../audit/audit';
import { audit } from '../audit/audit';
import { clinicView, requireClinic } from '../clinic/service';
import { auditInvalidSignIn, guardedSignIn } from '../sign-in-lockout/guardedSignIn';
import { clearAccountLockout, signInSucceeded } from '../sign-in-lockout/lockout';
import { enrolmentAtSignIn, secondFactorAtSignIn } from '../second-factor/staffFactor';
import { CLIENT_ID, bindClient } from '../sync/binding';
import { insertSynced, updateSynced } from '../sync/writeSynced';
import type { SyncedWriter } from '../sync/writeSynced';

export interface StaffPrincipal {
  staff: StaffUserRow;
  device: DeviceRow;
  clinic: ClinicRow;
}

export function staffView(s: StaffUserRow): StaffUserView {
  return { id: s.id, username: s.username, displayName: s.displayName, role: s.role, active: s.active };
}

const signInSchema = object({
  username: string().trim().required('Enter your username.').max(64),
  password: string().required('Enter your password.').max(256),
  deviceName: string().trim().max(80).default('Staff console'),
  clientId: string().matches(CLIENT_ID, 'The console id is malformed.').optional(),
  code: string().trim().max(32, 'Enter the 6-digit code from your authenticator app.').optional(),
  trustComputer: boolean().optional(),
  trustToken: string().max(64).optional(),
  renewToken: string().max(64).optional(),
});

const INVALID = new DomainError('invalid_credentials', 'The username or password is not right, or the account is inactive.');

type SignInForm = { username: string; password: string; deviceName: string; clientId?: string; code?: string; trustComputer?: boolean; trustToken?: string; renewToken?: string };

/** Signs a console in: a new revocable device token. Wrong tries lock the account and the address with growing waits. */
export async function staffSignIn(ctx: ServerContext, input: unknown, ip: string | null): Promise<StaffSignInResponse> {
  const clinic = await ctx.db.read(requireClinic);
  const { form, found } = await checkStaffPassword(ctx, clinic, input, ip);
  const deviceName = form.deviceName || 'Staff console';
  // Nothing is made until the second factor is met (or not asked: see second-factor/staffFactor.ts).
  const factor = await secondFactorAtSignIn(ctx, found, clinic, { ...form, deviceName }, ip);
  const token = randomToken();
  const now = ctx.now().toISOString();
  const device: DeviceRow = {
    id: newId(),
    clinicId: clinic.id,
    staffUserId: found.id,
    name: deviceName,
    tokenHash: keyedHash(ctx.secret, token),
    createdAt: now,
    lastSeenAt: now,
    revokedAt: null,
  };
  await ctx.db.write(async (m) => {
    await m.insert(DeviceEntity, device);
    if (form.clientId) {
      // The token may push under this console's client id only (see sync/binding.ts).
      await bindClient(m, clinic.id, form.clientId, device.id, 'sign_in', now);
    }
    await audit(m, clinic.id, { kind: 'staff', id: found.id, ip }, 'staff.sign_in', { type: 'device', id: device.id }, ctx.now(), factor.by === 'none' ? undefined : `second_factor=${factor.by}`);
  });
  return {
    token,
    deviceId: device.id,
    staff: staffView(found),
    clinic: clinicView(clinic),
    ...(factor.trustToken ? { trustToken: factor.trustToken } : {}),
    ...(factor.recoveryCodes ? { recoveryCodes: factor.recoveryCodes } : {}),
  };
}

/**
 * Enrolment during sign-in, for a person the clinic's policy requires to use a second factor who
 * has none yet: the password is checked as at sign-in, then a secret (not yet in force) comes back.
 */
export async function staffEnrolmentAtSignIn(ctx: ServerContext, input: unknown, ip: string | null): Promise<SecondFactorEnrolment> {
  const clinic = await ctx.db.read(requireClinic);
  const { found } = await checkStaffPassword(ctx, clinic, input, ip);
  if (!secondFactorRequired(clinic, found.role)) {
    throw new DomainError('forbidden', 'Sign in first, then set up a second factor from your account page.');
  }
  return enrolmentAtSignIn(ctx, found, clinic);
}

/** The username and password under the lockout rules; a right password clears its count. */
async function checkStaffPassword(ctx: ServerContext, clinic: ClinicRow, input: unknown, ip: string | null): Promise<{ form: SignInForm; found: StaffUserRow }> {
  let form: SignInForm;
  try {
    form = validateOrThrow(signInSchema, input);
  } catch (err) {
    await auditInvalidSignIn(ctx, 'staff', clinic.id, ip);
    throw err;
  }
  const usernameNormalized = form.username.toLowerCase();
  const { account, attempt } = await guardedSignIn(ctx, {
    audience: 'staff',
    clinicId: clinic.id,
    ip,
    usernameNormalized,
    password: form.password,
    find: (m) => m.findOneBy(StaffUserEntity, { usernameNormalized }),
    refused: (staff) => !staff.active,
    invalid: INVALID,
  });
  // The password was right: its count starts again (wrong codes count apart, and only a right code clears them).
  await ctx.db.write((m) => signInSucceeded(m, attempt));
  return { form, found: account };
}

const DAY_MS = 86_400_000;

export const SIGN_IN_EXPIRED_MESSAGE = 'Your sign-in on this console has expired. Sign in again; changes waiting on this console are kept and will be sent.';

/**
 * Why a console's sign-in has run out under the clinic's settings, or null while it holds: its age
 * (created more than staffTokenLifetimeDays ago) or its idleness (it last reached the server more
 * than staffTokenIdleDays ago).
 */
export function deviceExpiry(device: Pick<DeviceRow, 'createdAt' | 'lastSeenAt'>, clinic: Pick<ClinicRow, 'staffTokenLifetimeDays' | 'staffTokenIdleDays'>, now: Date): 'lifetime' | 'idle' | null {
  const t = now.getTime();
  if (t - new Date(device.createdAt).getTime() >= clinic.staffTokenLifetimeDays * DAY_MS) {
    return 'lifetime';
  }
  if (t - new Date(device.lastSeenAt).getTime() >= clinic.staffTokenIdleDays * DAY_MS) {
    return 'idle';
  }
  return null;
}

/**
 * Finds the staff member behind a bearer device token; revoked devices and inactive staff are
 * refused (null). A token past the clinic's lifetime or idle limit is ended here for good (marked
 * revoked, so the device list and live pokes see it too, and audited) and refused with
 * "sign in again".
 */
export async function authenticateDevice(ctx: ServerContext, token: string): Promise<StaffPrincipal | null> {
  const tokenHash = keyedHash(ctx.secret, token);
  // One statement: every staff request and every sync push starts here.
  const found = await ctx.db.read((m) =>
    m
      .createQueryBuilder(DeviceEntity, 'd')
      .innerJoinAndMapOne('d.staff', StaffUserEntity.options.name, 's', 's.id = d.staffUserId')
      .innerJoinAndMapOne('d.clinic', ClinicEntity.options.name, 'c', 'c.id = d.clinicId')
      .where('d.tokenHash = :tokenHash', { tokenHash })
      .getOne(),
    { oneStatement: true },
  );
  if (!found) {
    return null;
  }
  const { staff, clinic, ...device } = found as DeviceRow & { staff: StaffUserRow; clinic: ClinicRow };
  if (device.revokedAt && staff.active && deviceExpiry(device, clinic, new Date(device.revokedAt))) {
    // Ended by its age or idleness (below, at an earlier request): every later call hears why.
    throw new DomainError('not_signed_in', SIGN_IN_EXPIRED_MESSAGE);
  }
  const principal = device.revokedAt || !staff.active ? null : { staff, device, clinic };
  if (!principal) {
    return null;
  }
  const expired = deviceExpiry(device, clinic, ctx.now());
  if (expired) {
    await ctx.db.write(async (m) => {
      const at = ctx.now().toISOString();
      const ended = await m.createQueryBuilder().update(DeviceEntity).set({ revokedAt: at }).where('id = :id AND revokedAt IS NULL', { id: device.id }).execute();
      if (ended.affected) {
        await audit(m, clinic.id, { kind: 'staff', id: staff.id }, 'staff.sign_in_expired', { type: 'device', id: device.id }, ctx.now(), `reason=${expired}`);
      }
    });
    throw new DomainError('not_signed_in', SIGN_IN_EXPIRED_MESSAGE);
  }
  await touchDevice(ctx, principal.device);
  return principal;
}

/** Keeps "last seen" for the admin's device list, writing at most once a minute per console. */
async function touchDevice(ctx: ServerContext, device: DeviceRow): Promise<void> {
  const now = ctx.now();
  if (now.getTime() - new Date(device.lastSeenAt).getTime() > 60_000) {
    device.lastSeenAt = now.toISOString();
    await ctx.db.write((m) => m.update(DeviceEntity, { id: device.id }, { lastSeenAt: device.lastSeenAt }));
  }
}

export async function staffSignOut(ctx: ServerContext, p: StaffPrincipal): Promise<void> {
  await ctx.db.write(async (m) => {
    await m.update(DeviceEntity, { id: p.device.id }, { revokedAt: ctx.now().toISOString() });
    await audit(m, p.clinic.id, { kind: 'staff', id: p.staff.id }, 'staff.sign_out', { type: 'device', id: p.device.id }, ctx.now());
  });
}

export function requireRole(p: StaffPrincipal, roles: readonly StaffRole[]): void {
  if (!roles.includes(p.staff.role)) {
    throw new DomainError('forbidden', 'Your role does not allow this. Ask a clinic administrator.');
  }
}

export async function listStaff(ctx: ServerContext, p: StaffPrincipal): Promise<StaffUserView[]> {
  requireRole(p, ['admin']);
  const rows = await ctx.db.read((m) => m.find(StaffUserEntity, { where: { clinicId: p.clinic.id }, order: { displayName: 'ASC' } }));
  return rows.map(staffView);
}

export async function createStaff(ctx: ServerContext, p: StaffPrincipal, input: CreateStaffRequest, ip: string | null): Promise<StaffUserView> {
  requireRole(p, ['admin']);
  const form = validateOrThrow(staffUserSchema, input);
  requireHardToGuess(form.password, [form.username, form.displayName, p.clinic.name]);
  const passwordHash = await hashPassword(form.password);
  return ctx.db.write(async (m) => {
    if (await m.findOneBy(StaffUserEntity, { usernameNormalized: form.username.toLowerCase() })) {
      throw new DomainError('validation_failed', 'That username is taken.', { username: 'That username is taken. Choose another.' });
    }
    const now = ctx.now().toISOString();
    const row: StaffUserRow = {
      id: newId(),
      clinicId: p.clinic.id,
      username: form.username,
      usernameNormalized: form.username.toLowerCase(),
      displayName: form.displayName,
      role: form.role as StaffRole,
      passwordHash,
      active: true,
      version: 1,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    await insertSynced(writerOf(ctx, m, p, ip), 'staff', row, { action: 'staff.create', detail: `role=${row.role}` });
    return staffView(row);
  });
}

function actorOf(p: StaffPrincipal, ip: string | null): Actor {
  return { kind: 'staff', id: p.staff.id, ip };
}

/** An admin's change of the staff directory, which every console keeps. */
function writerOf(ctx: ServerContext, m: EntityManager, p: StaffPrincipal, ip: string | null): SyncedWriter {
  return { m, clinicId: p.clinic.id, actor: actorOf(p, ip), at: ctx.now(), clientId: null };
}

async function findStaffInClinic(m: EntityManager, p: StaffPrincipal, id: string): Promise<StaffUserRow> {
  const row = await m.findOneBy(StaffUserEntity, { id, clinicId: p.clinic.id });
  if (!row) {
    throw new DomainError('not_found', 'That staff member does not exist.');
  }
  return row;
}

export async function setStaffActive(ctx: ServerContext, p: StaffPrincipal, id: string, active: unknown, ip: string | null): Promise<StaffUserView> {
  requireRole(p, ['admin']);
  if (typeof active !== 'boolean') {
    throw new DomainError('validation_failed', 'Say whether the account is active.', { active: 'Must be true or false.' });
  }
  if (id === p.staff.id && !active) {
    throw new DomainError('validation_failed', 'You cannot deactivate your own account.');
  }
  return ctx.db.write(async (m) => {
    const row = await findStaffInClinic(m, p, id);
    const now = ctx.now().toISOString();
    const action = active ? 'staff.reactivate' : 'staff.deactivate';
    if (row.active !== active) {
      // The directory every console keeps (who can be chosen as a physician) changes.
      await updateSynced(writerOf(ctx, m, p, ip), 'staff', row, { active }, { action });
    } else {
      await audit(m, p.clinic.id, actorOf(p, ip), action, { type: 'staff_user', id }, ctx.now());
    }
    if (!active) {
      // A deactivated person's consoles stop working at once.
      await m.createQueryBuilder().update(DeviceEntity).set({ revokedAt: now }).where('staffUserId = :id AND revokedAt IS NULL', { id }).execute();
    }
    return staffView({ ...row, active });
  });
}

export async function resetStaffPassword(ctx: ServerContext, p: StaffPrincipal, id: string, password: unknown, ip: string | null): Promise<StaffUserView> {
  requireRole(p, ['admin']);
  const { password: valid } = validateOrThrow(object({ password: staffPasswordSchema }), { password });
  const target = await ctx.db.read((m) => findStaffInClinic(m, p, id));
  requireHardToGuess(valid, [target.username, target.displayName, p.clinic.name]);
  const passwordHash = await hashPassword(valid);
  return ctx.db.write(async (m) => {
    const row = await findStaffInClinic(m, p, id);
    const now = ctx.now().toISOString();
    // The row's updatedAt reaches consoles: a new version, like any change of a directory entry.
    await updateSynced(writerOf(ctx, m, p, ip), 'staff', row, { passwordHash }, { action: 'staff.reset_password' });
    await clearAccountLockout(m, 'staff', id);
    // A new password ends every console signed in with the old one. An admin resetting their own
    // keeps the console they did it from (they just proved the password) and loses the others:
    // someone who knew the old password may be signed in there.
    const others = m.createQueryBuilder().update(DeviceEntity).set({ revokedAt: now }).where('staffUserId = :id AND revokedAt IS NULL', { id });
    if (id === p.staff.id) {
      others.andWhere('id <> :current', { current: p.device.id });
    }
    await others.execute();
    return staffView(row);
  });
}
