/**
 * The second factor at a console's sign-in (issue 13). Asked when the person has one, or when the
 * clinic's policy requires it; then a person without one must set it up before any token is made
 * (enrolment at sign-in: the password first, then a secret from the server, then the first code).
 * Not asked when the same person re-proves their password to unlock the console they are signed
 * in on (renewToken), nor on a console they chose to trust for 30 days.
 */
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import type { SecondFactorStatus, TrustedComputerView } from '../../../../shared/api/types';
import { secondFactorRequired } from '../../../../shared/domain/clinic';
import { TrustedComputerEntity } from '../../../../shared/node/entities/secondFactor';
import { DeviceEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import type { ClinicRow, StaffUserRow } from '../../../../shared/node/entities/server';
import { keyedHash, newId, randomToken } from '../../../../shared/node/secrets';
import type { ServerContext } from '../../context';
import { audit } from '../audit/audit';
import type { Enrolment, Owner } from './factor';
import { findFactor, hasConfirmedFactor, removeFactor, renewRecoveryCodes, startEnrolment, typedCode, unusedRecoveryCodes, verifyCode } from './factor';

export const TRUST_DAYS = 30;

export const CODE_REQUIRED = new DomainError('second_factor_required', 'Enter the 6-digit code from your authenticator app (or one of your recovery codes).', {
  code: 'Enter the 6-digit code from your authenticator app.',
});
export const ENROLMENT_REQUIRED = new DomainError(
  'second_factor_enrolment_required',
  'Your clinic requires a second factor for your account. Set up an authenticator app to finish signing in.',
);

const staffOwner = (staff: StaffUserRow): Owner => ({ kind: 'staff', id: staff.id, clinicId: staff.clinicId });

export interface SignInFactorInput {
  code?: string;
  trustComputer?: boolean;
  trustToken?: string;
  renewToken?: string;
  deviceName: string;
}

export interface SignInFactorResult {
  /** How the second factor was met (for the audit line). */
  by: 'none' | 'renew' | 'trusted' | 'totp' | 'recovery' | 'enrolled';
  trustToken?: string;
  recoveryCodes?: string[];
}

/** The same person's live device token: unlocking their own console proves the password only. */
async function renewsOwnDevice(ctx: ServerContext, m: EntityManager, staff: StaffUserRow, renewToken: string | undefined): Promise<boolean> {
  if (!renewToken) {
    return false;
  }
  const device = await m.findOneBy(DeviceEntity, { tokenHash: keyedHash(ctx.secret, renewToken) });
  return device !== null && device.staffUserId === staff.id && device.revokedAt === null;
}

async function trusted(ctx: ServerContext, m: EntityManager, staff: StaffUserRow, trustToken: string | undefined): Promise<boolean> {
  if (!trustToken) {
    return false;
  }
  const row = await m.findOneBy(TrustedComputerEntity, { tokenHash: keyedHash(ctx.secret, trustToken) });
  return row !== null && row.staffUserId === staff.id && row.revokedAt === null && row.expiresAt > ctx.now().toISOString();
}

/**
 * Called after the password was found right and before any token is made. Throws
 * second_factor_required / second_factor_enrolment_required (nothing made), a wrong-code refusal
 * (counted under the lockout), or returns how the factor was met.
 */
export async function secondFactorAtSignIn(ctx: ServerContext, staff: StaffUserRow, clinic: ClinicRow, input: SignInFactorInput, ip: string | null): Promise<SignInFactorResult> {
  const state = await ctx.db.read(async (m) => ({
    enrolled: await hasConfirmedFactor(m, { kind: 'staff', id: staff.id }),
    renew: await renewsOwnDevice(ctx, m, staff, input.renewToken),
    trusted: await trusted(ctx, m, staff, input.trustToken),
  }));
  const required = secondFactorRequired(clinic, staff.role);
  if (state.renew) {
    return { by: 'renew' };
  }
  if (!state.enrolled && !required) {
    return { by: 'none' };
  }
  if (state.enrolled && state.trusted) {
    return { by: 'trusted' };
  }
  const code = input.code?.trim();
  if (!code) {
    throw state.enrolled ? CODE_REQUIRED : ENROLMENT_REQUIRED;
  }
  let checked: Awaited<ReturnType<typeof verifyCode>>;
  try {
    checked = await verifyCode(ctx, staffOwner(staff), code, { pending: !state.enrolled });
  } catch (err) {
    await ctx.db.write((m) => audit(m, clinic.id, { kind: 'anonymous', id: staff.id, ip }, 'staff.sign_in_failed', null, ctx.now(), 'reason=wrong_second_factor'));
    throw err;
  }
  const result: SignInFactorResult = { by: state.enrolled ? checked.kind : 'enrolled', ...(checked.recoveryCodes ? { recoveryCodes: checked.recoveryCodes } : {}) };
  if (!state.enrolled || checked.kind === 'recovery' || input.trustComputer) {
    await ctx.db.write(async (m) => {
      const actor = { kind: 'staff' as const, id: staff.id, ip };
      if (!state.enrolled) {
        await audit(m, clinic.id, actor, 'staff.second_factor_enrolled', { type: 'staff_user', id: staff.id }, ctx.now());
      }
      if (checked.kind === 'recovery') {
        await audit(m, clinic.id, actor, 'staff.recovery_code_used', { type: 'staff_user', id: staff.id }, ctx.now(), `left=${await unusedRecoveryCodes(m, (await findFactor(m, { kind: 'staff', id: staff.id }))?.id ?? '')}`);
      }
      if (input.trustComputer) {
        result.trustToken = await trustComputer(ctx, m, staff, input.deviceName, ip);
      }
    });
  }
  return result;
}

async function trustComputer(ctx: ServerContext, m: EntityManager, staff: StaffUserRow, deviceName: string, ip: string | null): Promise<string> {
  const token = randomToken();
  const now = ctx.now();
  const id = newId();
  await m.insert(TrustedComputerEntity, {
    id,
    clinicId: staff.clinicId,
    staffUserId: staff.id,
    name: deviceName || 'Staff console',
    tokenHash: keyedHash(ctx.secret, token),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + TRUST_DAYS * 86_400_000).toISOString(),
    revokedAt: null,
  });
  await audit(m, staff.clinicId, { kind: 'staff', id: staff.id, ip }, 'staff.computer_trusted', { type: 'trusted_computer', id }, now);
  return token;
}

/** Enrolment during sign-in (the password was just checked): a new secret for a person who has none. */
export async function enrolmentAtSignIn(ctx: ServerContext, staff: StaffUserRow, clinic: ClinicRow): Promise<Enrolment> {
  if (await ctx.db.read((m) => hasConfirmedFactor(m, { kind: 'staff', id: staff.id }))) {
    throw new DomainError('conflict', 'A second factor is already set up for this account. Enter its code to sign in.');
  }
  return startEnrolment(ctx, staffOwner(staff), clinic.name, staff.username);
}

export async function staffFactorStatus(ctx: ServerContext, staff: StaffUserRow, clinic: ClinicRow): Promise<SecondFactorStatus> {
  return ctx.db.read(async (m) => {
    const row = await findFactor(m, { kind: 'staff', id: staff.id });
    const enrolled = Boolean(row?.confirmedAt);
    return { enrolled, required: secondFactorRequired(clinic, staff.role), recoveryCodesLeft: row && enrolled ? await unusedRecoveryCodes(m, row.id) : 0 };
  });
}

/** A signed-in person sets up their own second factor (not yet in force until confirmed). */
export function startOwnEnrolment(ctx: ServerContext, staff: StaffUserRow, clinic: ClinicRow): Promise<Enrolment> {
  return startEnrolment(ctx, staffOwner(staff), clinic.name, staff.username);
}

export async function confirmOwnEnrolment(ctx: ServerContext, staff: StaffUserRow, code: unknown, ip: string | null): Promise<{ recoveryCodes: string[] }> {
  const checked = await verifyCode(ctx, staffOwner(staff), typedCode(code), { pending: true });
  await ctx.db.write((m) => audit(m, staff.clinicId, { kind: 'staff', id: staff.id, ip }, 'staff.second_factor_enrolled', { type: 'staff_user', id: staff.id }, ctx.now()));
  return { recoveryCodes: checked.recoveryCodes ?? [] };
}

/** Ten new recovery codes after a current code; the old ones stop working. */
export async function renewOwnRecoveryCodes(ctx: ServerContext, staff: StaffUserRow, code: unknown, ip: string | null): Promise<{ recoveryCodes: string[] }> {
  const recoveryCodes = await renewRecoveryCodes(ctx, staffOwner(staff), typedCode(code), (m) =>
    audit(m, staff.clinicId, { kind: 'staff', id: staff.id, ip }, 'staff.recovery_codes_renewed', { type: 'staff_user', id: staff.id }, ctx.now()),
  );
  return { recoveryCodes };
}

/**
 * Lost phone: an admin removes another staff member's second factor (and the computers they
 * trusted). Audited. Their next sign-in sets up a new one when the clinic requires it. An admin
 * cannot reset their own (they use a recovery code, or another admin).
 */
export async function resetStaffFactor(ctx: ServerContext, admin: StaffUserRow, targetId: string, ip: string | null): Promise<void> {
  if (admin.role !== 'admin') {
    throw new DomainError('forbidden', 'Your role does not allow this. Ask a clinic administrator.');
  }
  if (targetId === admin.id) {
    throw new DomainError('forbidden', 'Another administrator must reset your second factor. If you have a recovery code, sign in with it instead.');
  }
  await ctx.db.write(async (m) => {
    const target = await m.findOneBy(StaffUserEntity, { id: targetId, clinicId: admin.clinicId });
    if (!target) {
      throw new DomainError('not_found', 'That staff member does not exist.');
    }
    const had = await removeFactor(m, { kind: 'staff', id: target.id }, ctx.now());
    await audit(m, admin.clinicId, { kind: 'staff', id: admin.id, ip }, 'staff.second_factor_reset', { type: 'staff_user', id: target.id }, ctx.now(), `had_factor=${had}`);
  });
}

export async function listTrustedComputers(ctx: ServerContext, admin: StaffUserRow): Promise<TrustedComputerView[]> {
  if (admin.role !== 'admin') {
    throw new DomainError('forbidden', 'Your role does not allow this. Ask a clinic administrator.');
  }
  return ctx.db.read(async (m) => {
    const rows = await m.find(TrustedComputerEntity, { where: { clinicId: admin.clinicId }, order: { createdAt: 'DESC' } });
    const staff = new Map((await m.findBy(StaffUserEntity, { clinicId: admin.clinicId })).map((s) => [s.id, s.displayName]));
    return rows.map((r) => ({ id: r.id, staffUserId: r.staffUserId, staffDisplayName: staff.get(r.staffUserId) ?? '', name: r.name, createdAt: r.createdAt, expiresAt: r.expiresAt, revokedAt: r.revokedAt }));
  });
}

export async function revokeTrustedComputer(ctx: ServerContext, admin: StaffUserRow, id: string, ip: string | null): Promise<void> {
  if (admin.role !== 'admin') {
    throw new DomainError('forbidden', 'Your role does not allow this. Ask a clinic administrator.');
  }
  await ctx.db.write(async (m) => {
    const row = await m.findOneBy(TrustedComputerEntity, { id, clinicId: admin.clinicId });
    if (!row) {
      throw new DomainError('not_found', 'That trusted computer does not exist.');
    }
    if (!row.revokedAt) {
      await m.update(TrustedComputerEntity, { id }, { revokedAt: ctx.now().toISOString() });
    }
    await audit(m, admin.clinicId, { kind: 'staff', id: admin.id, ip }, 'staff.trusted_computer_revoked', { type: 'trusted_computer', id }, ctx.now());
  });
}
