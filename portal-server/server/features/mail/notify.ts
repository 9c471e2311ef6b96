import type { EntityManager } from 'typeorm';
import { PatientAccountEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { ClinicRow } from '../../../../shared/node/entities/server';
import type { ServerContext } from '../../context';
import { enqueueMail } from './outbox';
import type { NoticeMailPayload, NoticeTemplate } from './templates';

/**
 * Queues a PHI-free "sign in to see it" mail to a patient, in the caller's transaction. Patients
 * without a portal account are not mailed: there is nothing they could sign in to.
 */
export async function notifyPatient(c: { ctx: ServerContext; m: EntityManager; clinic: ClinicRow }, patientId: string, template: NoticeTemplate): Promise<void> {
  const account = await c.m.findOneBy(PatientAccountEntity, { patientId, clinicId: c.clinic.id });
  const patient = account ? await c.m.findOneBy(PatientEntity, { id: patientId }) : null;
  if (!account || !patient || patient.deletedAt) {
    return;
  }
  const payload: NoticeMailPayload = { clinicName: c.clinic.name, clinicPhone: c.clinic.phone, signInUrl: `${c.ctx.publicUrl}/sign-in` };
  await enqueueMail(c.m, c.ctx.secret, { clinicId: c.clinic.id, recipient: patient.email, template, payload, patientId: patient.id }, c.ctx.now());
}
