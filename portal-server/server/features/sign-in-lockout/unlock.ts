import type { EntityManager } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import { PatientAccountEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { PatientAccountRow, PatientRow } from '../../../../shared/node/entities/server';
import type { ServerContext } from '../../context';
import { audit } from '../audit/audit';
import { idParam } from '../patient-session/call';
import type { StaffPrincipal } from '../staff/service';
import { requireRole } from '../staff/service';
import { clearAccountLockout } from './lockout';

/** Front-desk account help (unlock, password reset) is for receptionists and admins. */
export const ACCOUNT_HELP_ROLES = ['receptionist', 'admin'] as const;

/** The patient (of this clinic, not deleted) and their portal account, or not_found. */
export async function patientWithAccount(m: EntityManager, clinicId: string, patientIdParam: unknown): Promise<{ patient: PatientRow; account: PatientAccountRow }> {
  const patientId = idParam(patientIdParam, 'patient');
  const patient = await m.findOneBy(PatientEntity, { id: patientId, clinicId });
  if (!patient || patient.deletedAt) {
    throw new DomainError('not_found', 'We could not find that patient.');
  }
  const account = await m.findOneBy(PatientAccountEntity, { patientId, clinicId });
  if (!account) {
    throw new DomainError('not_found', 'This patient has no portal account yet. Send an invitation instead.');
  }
  return { patient, account };
}

/** Lets a locked-out patient try again at once (their failed tries are forgotten). Audited. */
export async function unlockPatientAccount(ctx: ServerContext, p: StaffPrincipal, patientIdParam: unknown, ip: string | null): Promise<void> {
  requireRole(p, ACCOUNT_HELP_ROLES);
  await ctx.db.write(async (m) => {
    const { patient, account } = await patientWithAccount(m, p.clinic.id, patientIdParam);
    await clearAccountLockout(m, 'patient', account.id);
    const was = account.lockedUntil && account.lockedUntil > ctx.now().toISOString() ? 'locked' : 'not_locked';
    await audit(m, p.clinic.id, { kind: 'staff', id: p.staff.id, ip }, 'patient.account_unlock', { type: 'patient', id: patient.id }, ctx.now(), `was=${was}`);
  });
}
