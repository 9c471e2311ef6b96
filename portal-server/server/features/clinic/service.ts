import type { EntityManager } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import { DEFAULT_CANCEL_CUTOFF_HOURS } from '../../../../shared/domain/appointment';
import { DEFAULT_INVITATION_LIFETIME_DAYS, DEFAULT_MESSAGE_REPLIERS, NEW_CLINIC_SECOND_FACTOR_POLICY, DEFAULT_STAFF_TOKEN_IDLE_DAYS, DEFAULT_STAFF_TOKEN_LIFETIME_DAYS } from '../../../../shared/domain/clinic';
import type { ClinicPublicInfo, ClinicView } from '../../../../shared/domain/clinic';
import { ClinicEntity } from '../../../../shared/node/entities/server';
import type { ClinicRow, StaffUserRow } from '../../../../shared/node/entities/server';
import { hashPassword, newId } from '../../../../shared/node/secrets';
import { todayInZone } from '../../../../shared/time/dateOnly';
import { validateOrThrow } from '../../../../shared/validation/validate';
import { clinicSetupSchema } from '../../../../shared/validation/staff';
import type { ClinicSetupForm } from '../../../../shared/validation/staff';
import { requireHardToGuess } from '../password-strength/strength';
import type { ServerContext } from '../../context';
import { insertSynced } from '../sync/writeSynced';
import { audit } from '../audit/audit';
import { insertConfirmedFactor } from '../second-factor/factor';
import { acceptedStep } from '../second-factor/totp';

/** One server serves one clinic (clinicId stays on every row for a later multi-clinic server). */
export async function findClinic(m: EntityManager): Promise<ClinicRow | null> {
  const [clinic] = await m.find(ClinicEntity, { order: { createdAt: 'ASC' }, take: 1 });
  return clinic ?? null;
}

export async function requireClinic(m: EntityManager): Promise<ClinicRow> {
  const clinic = await findClinic(m);
  if (!clinic) {
    throw new DomainError('not_set_up', 'This portal has not been set up yet. The clinic must create its account first.');
  }
  return clinic;
}

export function clinicView(c: ClinicRow): ClinicView {
  return {
    id: c.id,
    name: c.name,
    phone: c.phone,
    address: c.address,
    timeZone: c.timeZone,
    passwordPolicy: c.passwordPolicy,
    invitationLifetimeDays: c.invitationLifetimeDays,
    appointmentCancelHours: c.appointmentCancelHours,
    staffTokenLifetimeDays: c.staffTokenLifetimeDays,
    staffTokenIdleDays: c.staffTokenIdleDays,
    messageRepliers: c.messageRepliers,
    secondFactorPolicy: c.secondFactorPolicy ?? 'off',
  };
}

export function publicInfo(c: ClinicRow, now: Date): ClinicPublicInfo {
  return {
    name: c.name,
    phone: c.phone,
    timeZone: c.timeZone,
    passwordPolicy: c.passwordPolicy,
    today: todayInZone(c.timeZone, now),
  };
}

export async function isSetUp(ctx: ServerContext): Promise<boolean> {
  return (await ctx.db.read(findClinic)) !== null;
}

/**
 * The first admin's second factor at setup (issue 13): a secret made by enrolmentForSetup and the
 * first code from their app. With it the clinic starts with "required for admins".
 */
export interface SetupSecondFactor {
  secret: string;
  code: string;
}

/**
 * First run: the clinic and its first admin, once. The admin's password must be hard to guess.
 * With `secondFactor` (the console's first run and `portal:setup`), its code is checked before
 * anything is written, the clinic requires a second factor for admins, and the admin's factor is
 * written confirmed in the same transaction; its recovery codes come back once.
 */
export async function setupClinic(ctx: ServerContext, input: ClinicSetupForm, secondFactor?: SetupSecondFactor): Promise<{ clinic: ClinicView; recoveryCodes?: string[] }> {
  const form = validateOrThrow(clinicSetupSchema, input);
  requireHardToGuess(form.adminPassword, [form.adminUsername, form.adminDisplayName, form.name], 'adminPassword');
  let factor: { secret: string; step: number } | undefined;
  if (secondFactor) {
    const step = await acceptedStep(secondFactor.secret, String(secondFactor.code ?? '').trim(), ctx.now(), 0);
    if (step === null) {
      throw new DomainError('validation_failed', 'That code is not right. Enter the current 6-digit code from your authenticator app.', { code: 'Enter the current 6-digit code from your authenticator app.' });
    }
    factor = { secret: secondFactor.secret, step };
  }
  return createClinicWithAdmin(ctx, form, await hashPassword(form.adminPassword), factor);
}

/**
 * Writes the clinic and its admin. Only setupClinic (above) and the demo's seed call it: the demo's
 * fixed sign-ins are seeded as the README lists them, not chosen through the password checks.
 */
export async function createClinicWithAdmin(ctx: ServerContext, input: ClinicSetupForm, passwordHash: string, adminFactor?: { secret: string; step: number }): Promise<{ clinic: ClinicView; recoveryCodes?: string[] }> {
  const form = validateOrThrow(clinicSetupSchema, input);
  return ctx.db.write(async (m) => {
    if (await findClinic(m)) {
      throw new DomainError('already_set_up', 'This portal already has a clinic.');
    }
    const now = ctx.now().toISOString();
    const clinic: ClinicRow = {
      id: newId(),
      name: form.name,
      phone: form.phone,
      address: form.address,
      timeZone: form.timeZone,
      passwordPolicy: 'default',
      invitationLifetimeDays: DEFAULT_INVITATION_LIFETIME_DAYS,
      appointmentCancelHours: DEFAULT_CANCEL_CUTOFF_HOURS,
      staffTokenLifetimeDays: DEFAULT_STAFF_TOKEN_LIFETIME_DAYS,
      staffTokenIdleDays: DEFAULT_STAFF_TOKEN_IDLE_DAYS,
      messageRepliers: DEFAULT_MESSAGE_REPLIERS,
      // The demo and the test fixtures set up without a factor and keep "off" (see README).
      secondFactorPolicy: adminFactor ? NEW_CLINIC_SECOND_FACTOR_POLICY : 'off',
      createdAt: now,
      updatedAt: now,
    };
    await m.insert(ClinicEntity, clinic);
    const adminId = newId();
    const system = { m, clinicId: clinic.id, actor: { kind: 'system' as const, id: null }, at: ctx.now(), clientId: null };
    const admin: StaffUserRow = {
      id: adminId,
      clinicId: clinic.id,
      username: form.adminUsername,
      usernameNormalized: form.adminUsername.toLowerCase(),
      displayName: form.adminDisplayName,
      role: 'admin',
      passwordHash,
      active: true,
      version: 1,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    await insertSynced(system, 'staff', admin, { action: 'clinic.setup' });
    if (!adminFactor) {
      return { clinic: clinicView(clinic) };
    }
    const recoveryCodes = await insertConfirmedFactor(ctx, m, { kind: 'staff', id: adminId, clinicId: clinic.id }, adminFactor.secret, adminFactor.step);
    await audit(m, clinic.id, { kind: 'system', id: null }, 'staff.second_factor_enrolled', { type: 'staff_user', id: adminId }, ctx.now(), 'at=setup');
    return { clinic: clinicView(clinic), recoveryCodes };
  });
}
