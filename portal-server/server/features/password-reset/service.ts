import { lockKey } from '../../../../shared/node/db';
import { IsNull } from 'typeorm';
import { object, string } from 'yup';
import { DomainError } from '../../../../shared/api/errors';
import type { StaffPasswordResetResponse } from '../../../../shared/api/staffSecurity';
import { PasswordResetEntity } from '../../../../shared/node/entities/security';
import type { PasswordResetRow } from '../../../../shared/node/entities/security';
import { PatientAccountEntity, PatientSessionEntity } from '../../../../shared/node/entities/server';
import { hashPassword, keyedHash, newId, randomToken } from '../../../../shared/node/secrets';
import { linkPasswordResetSchema } from '../../../../shared/validation/passwordReset';
import { validateOrThrow } from '../../../../shared/validation/validate';
import type { ServerContext } from '../../context';
import { afterCommit } from '../../context';
import { audit } from '../audit/audit';
import { requireClinic } from '../clinic/service';
import type { PasswordResetMailPayload } from '../mail/passwordResetMail';
import { notifyPasswordChanged } from '../mail/notify';
import { patientMailLanguage } from '../mail/mailLayout';
import { enqueueMail } from '../mail/outbox';
import { requirePatientPassword } from '../password-strength/strength';
import { clearAccountLockout } from '../sign-in-lockout/lockout';
import { ACCOUNT_HELP_ROLES, patientWithAccount } from '../sign-in-lockout/unlock';
import type { StaffPrincipal } from '../staff/service';
import { requireRole } from '../staff/service';

/** A reset link never outlives the clinic's invitation lifetime, nor three days. */
export const MAX_RESET_LIFETIME_DAYS = 3;

const DEAD_LINK = new DomainError(
  'not_found',
  'This password link no longer works: it was used already, a newer one was sent, or it expired. Ask your clinic to send a new one.',
);

/**
 * The front desk sends a patient an "invitation-style" link to set a new password. The token is
 * kept only as an HMAC; a newer link replaces an older unused one. Audited; the mail is PHI-free.
 */
export async function sendPasswordReset(ctx: ServerContext, p: StaffPrincipal, patientIdParam: unknown, ip: string | null): Promise<StaffPasswordResetResponse> {
  requireRole(p, ACCOUNT_HELP_ROLES);
  const token = randomToken();
  const now = ctx.now();
  const result = await ctx.db.write(async (m) => {
    const clinic = await requireClinic(m);
    const { patient, account } = await patientWithAccount(m, p.clinic.id, patientIdParam);
    if (!patient.email) {
      throw new DomainError('conflict', 'This patient has no email address on file, so a reset link cannot be emailed. Add their email address to their details first.');
    }
    const days = Math.min(MAX_RESET_LIFETIME_DAYS, Math.max(1, clinic.invitationLifetimeDays));
    const row: PasswordResetRow = {
      id: newId(),
      clinicId: clinic.id,
      accountId: account.id,
      tokenHash: keyedHash(ctx.secret, token),
      expiresAt: new Date(now.getTime() + days * 86_400_000).toISOString(),
      createdById: p.staff.id,
      createdAt: now.toISOString(),
      usedAt: null,
    };
    await m.delete(PasswordResetEntity, { accountId: account.id, usedAt: IsNull() });
    await m.insert(PasswordResetEntity, row);
    const payload: PasswordResetMailPayload = {
      clinicName: clinic.name,
      clinicPhone: clinic.phone,
      timeZone: clinic.timeZone,
      link: `${ctx.publicUrl}/reset-password#token=${token}`,
      expiresAt: row.expiresAt,
      language: patientMailLanguage(patient),
    };
    await enqueueMail(m, ctx.secret, { clinicId: clinic.id, recipient: patient.email, template: 'passwordReset', payload, patientId: patient.id, passwordResetId: row.id }, now);
    await audit(m, clinic.id, { kind: 'staff', id: p.staff.id, ip }, 'patient.password_reset_sent', { type: 'patient', id: patient.id }, now, `reset=${row.id}`);
    return { expiresAt: row.expiresAt };
  });
  afterCommit(ctx);
  return result;
}

const tokenSchema = object({ token: string().trim().required('This page needs the link from your email.').max(200, 'That link is not valid.') });

async function liveReset(ctx: ServerContext, token: string): Promise<PasswordResetRow> {
  const row = await ctx.db.read((m) => m.findOneBy(PasswordResetEntity, { tokenHash: keyedHash(ctx.secret, token) }));
  if (!row || row.usedAt || row.expiresAt <= ctx.now().toISOString()) {
    throw DEAD_LINK;
  }
  return row;
}

/**
 * The patient sets a new password from the emailed link: under the clinic's policy, once. Every
 * session of the account ends, its lockout is cleared, the change is audited and the patient is
 * told by mail.
 */
export async function completePasswordReset(ctx: ServerContext, input: unknown, ip: string | null): Promise<void> {
  const { token } = validateOrThrow(tokenSchema, input);
  const reset = await liveReset(ctx, token);
  const clinic = await ctx.db.read(requireClinic);
  const form = validateOrThrow(linkPasswordResetSchema(clinic.passwordPolicy), input);
  const owner = await ctx.db.read((m) => m.findOneBy(PatientAccountEntity, { id: reset.accountId }));
  requirePatientPassword(clinic.passwordPolicy, form.password, [owner?.username ?? '', clinic.name]);
  const passwordHash = await hashPassword(form.password);
  await ctx.db.write(async (m) => {
    // Checked again inside the transaction, under the link's lock: two tabs racing with one link
    // change the password once, through one instance or several.
    await lockKey(m, `password-reset:${keyedHash(ctx.secret, token)}`);
    const row = await m.findOneBy(PasswordResetEntity, { tokenHash: keyedHash(ctx.secret, token) });
    const now = ctx.now();
    if (!row || row.usedAt || row.expiresAt <= now.toISOString()) {
      throw DEAD_LINK;
    }
    const account = await m.findOneBy(PatientAccountEntity, { id: row.accountId });
    if (!account) {
      throw DEAD_LINK;
    }
    await m.update(PasswordResetEntity, { id: row.id }, { usedAt: now.toISOString() });
    await m.update(PatientAccountEntity, { id: account.id }, { passwordHash, updatedAt: now.toISOString() });
    await clearAccountLockout(m, 'patient', account.id);
    await m.delete(PatientSessionEntity, { accountId: account.id });
    const actor = { kind: 'patient' as const, id: account.id, ip };
    await audit(m, clinic.id, actor, 'patient.password_reset_by_link', { type: 'patient', id: account.patientId }, now, `reset=${row.id}`);
    await notifyPasswordChanged({ ctx, m, clinic }, account.patientId, actor);
  });
  afterCommit(ctx);
}
