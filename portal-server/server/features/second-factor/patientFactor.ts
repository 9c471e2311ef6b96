/**
 * A patient's optional second factor (issue 13 item 6), from their own Account page. No emailed
 * code is offered as a factor: password recovery already goes to the same inbox.
 */
import type { SecondFactorStatus } from '../../../../shared/api/types';
import { PatientSessionEntity } from '../../../../shared/node/entities/server';
import type { ServerContext } from '../../context';
import { afterCommit } from '../../context';
import { audit } from '../audit/audit';
import { requireClinic } from '../clinic/service';
import type { PatientPrincipal } from '../patient-session/service';
import { deleteSessionsOf } from '../patient-session/service';
import { notifyPatient } from '../mail/notify';
import type { StaffPrincipal } from '../staff/service';
import { requireRole } from '../staff/service';
import { ACCOUNT_HELP_ROLES, patientWithAccount } from '../sign-in-lockout/unlock';
import { DomainError } from '../../../../shared/api/errors';
import type { Enrolment, Owner } from './factor';
import { findFactor, removeFactor, renewRecoveryCodes, typedCode, startEnrolment, unusedRecoveryCodes, verifyCode } from './factor';

const ownerOf = (p: PatientPrincipal): Owner => ({ kind: 'patient', id: p.account.id, clinicId: p.account.clinicId });

function codeOf(input: unknown): string {
  return typedCode((input as { code?: unknown } | null)?.code);
}

export async function patientFactorStatus(ctx: ServerContext, p: PatientPrincipal): Promise<SecondFactorStatus> {
  return ctx.db.read(async (m) => {
    const row = await findFactor(m, ownerOf(p));
    const enrolled = Boolean(row?.confirmedAt);
    return { enrolled, required: false, recoveryCodesLeft: row && enrolled ? await unusedRecoveryCodes(m, row.id) : 0 };
  });
}

export async function startPatientEnrolment(ctx: ServerContext, p: PatientPrincipal): Promise<Enrolment> {
  const clinic = await ctx.db.read(requireClinic);
  return startEnrolment(ctx, ownerOf(p), clinic.name, p.account.username);
}

/** Turns it on with the first code: this session counts as having met it; every other session ends. */
export async function confirmPatientEnrolment(ctx: ServerContext, p: PatientPrincipal, input: unknown, ip: string | null): Promise<{ recoveryCodes: string[] }> {
  const checked = await verifyCode(ctx, ownerOf(p), codeOf(input), { pending: true });
  const at = ctx.now();
  await ctx.db.write(async (m) => {
    await m.update(PatientSessionEntity, { idHash: p.session.idHash }, { secondFactorAt: at.toISOString() });
    await deleteSessionsOf(m, p.account.id, p.session);
    await audit(m, p.account.clinicId, { kind: 'patient', id: p.account.id, ip }, 'patient.second_factor_enrolled', { type: 'patient_account', id: p.account.id }, at);
  });
  return { recoveryCodes: checked.recoveryCodes ?? [] };
}

/** Turns it off: a current code (or a recovery code) first, so an unattended signed-in browser cannot. */
export async function disablePatientFactor(ctx: ServerContext, p: PatientPrincipal, input: unknown, ip: string | null): Promise<void> {
  await verifyCode(ctx, ownerOf(p), codeOf(input));
  await ctx.db.write(async (m) => {
    await removeFactor(m, ownerOf(p), ctx.now());
    await audit(m, p.account.clinicId, { kind: 'patient', id: p.account.id, ip }, 'patient.second_factor_disabled', { type: 'patient_account', id: p.account.id }, ctx.now());
  });
}

/** Ten new recovery codes after a current code; the old ones stop working. */
export async function renewPatientRecoveryCodes(ctx: ServerContext, p: PatientPrincipal, input: unknown, ip: string | null): Promise<{ recoveryCodes: string[] }> {
  const recoveryCodes = await renewRecoveryCodes(ctx, ownerOf(p), codeOf(input), (m) =>
    audit(m, p.account.clinicId, { kind: 'patient', id: p.account.id, ip }, 'patient.recovery_codes_renewed', { type: 'patient_account', id: p.account.id }, ctx.now()),
  );
  return { recoveryCodes };
}

/**
 * A patient who lost both their phone and their recovery codes: after the clinic has checked who
 * is asking (its own procedure), the front desk turns two-step sign-in off. Every session of the
 * account ends, the desk's action is audited, and the patient is mailed at once — so someone who
 * talked the desk into it is found out by the real patient.
 */
export async function resetPatientFactorByDesk(ctx: ServerContext, p: StaffPrincipal, patientIdParam: unknown, ip: string | null): Promise<void> {
  requireRole(p, ACCOUNT_HELP_ROLES);
  await ctx.db.write(async (m) => {
    const { patient, account } = await patientWithAccount(m, p.clinic.id, patientIdParam);
    const now = ctx.now();
    if (!(await removeFactor(m, { kind: 'patient', id: account.id }, now))) {
      throw new DomainError('conflict', 'This patient has not turned on two-step sign-in, so there is nothing to turn off.');
    }
    await deleteSessionsOf(m, account.id);
    await audit(m, p.clinic.id, { kind: 'staff', id: p.staff.id, ip }, 'patient.second_factor_reset', { type: 'patient', id: patient.id }, now);
    await notifyPatient({ ctx, m, clinic: p.clinic }, patient.id, 'secondFactorReset');
  });
  afterCommit(ctx);
}
