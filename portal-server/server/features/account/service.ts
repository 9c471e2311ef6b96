/** The signed-in patient's own account: change password, and who at the clinic opened their record. */
import { In } from 'typeorm';
import type { RecordAccessEntry } from '../../../../shared/api/account';
import { DomainError } from '../../../../shared/api/errors';
import { AuditEventEntity, PatientAccountEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import { hashPassword, verifyPassword } from '../../../../shared/node/secrets';
import { changePasswordSchema } from '../../../../shared/validation/account';
import { validateOrThrow } from '../../../../shared/validation/validate';
import type { ServerContext } from '../../context';
import { afterCommit } from '../../context';
import { audit } from '../audit/audit';
import type { PatientCall } from '../calls';
import { requireClinic } from '../clinic/service';
import { notifyPasswordChanged } from '../mail/notify';
import { requirePatientPassword } from '../password-strength/strength';
import type { PatientPrincipal } from '../patient-session/service';
import { deleteSessionsOf } from '../patient-session/service';

const NOT_CURRENT = 'That is not your current password.';

/**
 * The current password, then a new one under the clinic's policy as it is today. Every other
 * session of the account ends; this one stays.
 */
export async function changePassword(ctx: ServerContext, p: PatientPrincipal, body: unknown, ip: string | null): Promise<void> {
  const clinic = await ctx.db.read(requireClinic);
  const form = validateOrThrow(changePasswordSchema(clinic.passwordPolicy), body);
  requirePatientPassword(clinic.passwordPolicy, form.password, [p.account.username, clinic.name]);
  const actor = { kind: 'patient' as const, id: p.account.id, ip };
  if (!(await verifyPassword(p.account.passwordHash, form.currentPassword))) {
    await ctx.db.write((m) => audit(m, clinic.id, actor, 'patient.password_change_failed', null, ctx.now()));
    throw new DomainError('validation_failed', NOT_CURRENT, { currentPassword: NOT_CURRENT });
  }
  // Slow hashing outside the write lock.
  const passwordHash = await hashPassword(form.password);
  await ctx.db.write(async (m) => {
    const now = ctx.now();
    await m.update(PatientAccountEntity, { id: p.account.id }, { passwordHash, updatedAt: now.toISOString() });
    await deleteSessionsOf(m, p.account.id, p.session);
    await audit(m, clinic.id, actor, 'patient.password_change', null, now);
    await notifyPasswordChanged({ ctx, m, clinic }, p.account.patientId, actor);
  });
  afterCommit(ctx);
}

/** What a staff action on the patient's record is called in the portal. */
const WHAT: Record<string, string> = {
  'record.view': 'Viewed your medical record',
  'record.create': 'Added to your medical record',
  'record.update': 'Changed your medical record',
  'record.delete': 'Removed an entry from your medical record',
  'patient.update': 'Changed your contact details',
};
const MAX_ENTRIES = 100;

/**
 * Staff reads and changes of THIS patient's record, newest first. Only staff actions count (the
 * patient's own reads are audited too, but are not "who at the clinic").
 */
export async function recordAccess(c: PatientCall): Promise<RecordAccessEntry[]> {
  const events = await c.m.find(AuditEventEntity, {
    where: { clinicId: c.clinic.id, entity: 'patient', entityId: c.patient.id, actorKind: 'staff', action: In(Object.keys(WHAT)) },
    order: { at: 'DESC' },
    take: MAX_ENTRIES,
  });
  const staffIds = [...new Set(events.map((e) => e.actorId).filter((id): id is string => id !== null))];
  const staff = new Map((staffIds.length > 0 ? await c.m.findBy(StaffUserEntity, { id: In(staffIds) }) : []).map((s) => [s.id, s]));
  const entries = events.map((e): RecordAccessEntry => {
    const who = e.actorId ? staff.get(e.actorId) : undefined;
    return {
      id: e.id,
      // The server's clock only: older events may carry a console's claimed time in `detail`, never shown.
      at: e.at,
      staffName: who?.displayName ?? 'A former member of the clinic staff',
      role: who?.role ?? null,
      what: WHAT[e.action] ?? 'Opened your medical record',
    };
  });
  return entries.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

