import { string } from 'yup';
import { DomainError } from '../../../../shared/api/errors';
import { lockKey } from '../../../../shared/node/db';
import { PatientEntity } from '../../../../shared/node/entities/server';
import { newId } from '../../../../shared/node/secrets';
import { validateOrThrow } from '../../../../shared/validation/validate';
import type { ServerContext } from '../../context';
import { DESK_ROLES } from '../calls';
import type { StaffCall } from '../calls';
import { requireClinic } from '../clinic/service';
import { createInvitation } from '../patients/service';
import type { StaffPrincipal } from '../staff/service';
import { requireRole } from '../staff/service';
import { renderInvitationLetter } from './invitationLetter';

const patientIdSchema = string().required().uuid('That is not a patient id.');

/**
 * Prints an invitation letter: a NEW invitation with a new Registration ID, made here because the
 * server keeps only the ID's keyed hash, so it cannot print an earlier one again. Any earlier
 * invitation of the patient is revoked in the same transaction (its link and ID stop working), and
 * the print is audited (`invitation.letter`). Online only: the console cannot do this offline.
 */
export async function printInvitationLetter(ctx: ServerContext, p: StaffPrincipal, patientIdParam: unknown, ip: string | null): Promise<{ pdf: Buffer; invitationId: string }> {
  requireRole(p, DESK_ROLES);
  const patientId = validateOrThrow(patientIdSchema, patientIdParam);
  const invitationId = newId();
  const made = await ctx.db.write(async (m) => {
    await lockKey(m, `patient-invitation:${patientId}`);
    const clinic = await requireClinic(m);
    const patient = await m.findOneBy(PatientEntity, { id: patientId, clinicId: p.clinic.id });
    if (!patient || patient.deletedAt) {
      throw new DomainError('not_found', 'That patient does not exist on the server.');
    }
    const c: StaffCall = { ctx, m, clinic, actor: { kind: 'staff', id: p.staff.id, ip }, staff: p.staff, clientId: null };
    const { registrationId, expiresAt } = await createInvitation(c, patient, invitationId, 'letter');
    return { clinic, registrationId, expiresAt, language: patient.language ?? null };
  });
  ctx.changes.poke();
  const pdf = await renderInvitationLetter({
    clinicName: made.clinic.name,
    clinicPhone: made.clinic.phone,
    timeZone: made.clinic.timeZone,
    portalUrl: ctx.publicUrl,
    registrationId: made.registrationId,
    expiresAt: made.expiresAt,
    // The patient's language (the desk's choice at pre-registration, or theirs on Account).
    language: made.language,
  });
  return { pdf, invitationId };
}
