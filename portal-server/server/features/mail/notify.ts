import type { EntityManager } from 'typeorm';
import { MoreThanOrEqual } from 'typeorm';
import { MailOutboxEntity, PatientAccountEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { ClinicRow, PatientRow } from '../../../../shared/node/entities/server';
import type { ServerContext } from '../../context';
import type { Actor } from '../audit/audit';
import { audit } from '../audit/audit';
import { sameAddress } from './liveness';
import { patientMailLanguage } from './mailLayout';
import { enqueueMail } from './outbox';
import type { NoticeMailPayload, NoticeTemplate } from './templates';

type NoticeCall = { ctx: ServerContext; m: EntityManager; clinic: ClinicRow };

/** An address the clinic replaced keeps hearing about password changes this long. */
export const REPLACED_ADDRESS_NOTICE_DAYS = 14;

/** A notice to `patient`, in their language (null: English). */
const payloadOf = (c: NoticeCall, patient: PatientRow): NoticeMailPayload => ({
  clinicName: c.clinic.name,
  clinicPhone: c.clinic.phone,
  signInUrl: `${c.ctx.publicUrl}/sign-in`,
  language: patientMailLanguage(patient),
});

/**
 * The portal pages a notice may link to (portal-server/web/src/router.ts). Only opaque ids go in
 * the address: no subject, text, medication, physician or time.
 */
export type NoticeItem = { kind: 'thread'; threadId: string } | { kind: 'appointments' } | { kind: 'renewals' };

export function noticePath(item: NoticeItem): string {
  switch (item.kind) {
    case 'thread':
      return `/messages/${encodeURIComponent(item.threadId)}`;
    case 'appointments':
      return '/appointments';
    case 'renewals':
      return '/renewals';
  }
}

/** The patient, when they have a portal account; patients without one have nothing to sign in to. */
async function registeredPatient(c: NoticeCall, patientId: string): Promise<PatientRow | null> {
  const account = await c.m.findOneBy(PatientAccountEntity, { patientId, clinicId: c.clinic.id });
  const patient = account ? await c.m.findOneBy(PatientEntity, { id: patientId }) : null;
  return patient && !patient.deletedAt ? patient : null;
}

/**
 * Queues a PHI-free "sign in to see it" mail to a patient, in the caller's transaction; its link
 * opens `item` after sign-in. Patients without a portal account are not mailed (there is nothing
 * they could sign in to), nor those without an email address.
 */
export async function notifyPatient(c: NoticeCall, patientId: string, template: NoticeTemplate, item?: NoticeItem): Promise<void> {
  const patient = await registeredPatient(c, patientId);
  // A patient without an email address (invited by letter) has nowhere to be told.
  if (patient?.email) {
    const payload: NoticeMailPayload = { ...payloadOf(c, patient), ...(item ? { itemUrl: `${c.ctx.publicUrl}${noticePath(item)}` } : {}) };
    await enqueueMail(c.m, c.ctx.secret, { clinicId: c.clinic.id, recipient: patient.email, template, payload, patientId: patient.id }, c.ctx.now());
  }
}

/**
 * The staff changed a registered patient's email address: the OLD address is told, so a desk that
 * redirects an account's mail (and then sends itself a password link) cannot do it unseen.
 * `before` is the patient row as it was. Audited.
 */
export async function notifyEmailChanged(c: NoticeCall, before: PatientRow, newEmail: string, actor: Actor, changedBy: 'clinic' | 'patient' = 'clinic'): Promise<void> {
  if (!before.email || sameAddress(before.email, newEmail) || !(await registeredPatient(c, before.id))) {
    return;
  }
  const now = c.ctx.now();
  const payload: NoticeMailPayload = { ...payloadOf(c, before), ...(changedBy === 'patient' ? { changedBy } : {}) };
  await enqueueMail(c.m, c.ctx.secret, { clinicId: c.clinic.id, recipient: before.email, template: 'emailChanged', payload, patientId: before.id }, now);
  await audit(c.m, c.clinic.id, actor, 'patient.email_change_notice', { type: 'patient', id: before.id }, now, 'mail=previous-address');
}

/**
 * "Your password was changed", after every change of a patient's password (by the patient, by a
 * front-desk link, by a recovery code). It goes to the current address and to every address the
 * clinic replaced in the last REPLACED_ADDRESS_NOTICE_DAYS, so whoever had the account before an
 * address change hears of it too. Audited.
 */
export async function notifyPasswordChanged(c: NoticeCall, patientId: string, actor: Actor): Promise<void> {
  const patient = await registeredPatient(c, patientId);
  if (!patient) {
    return;
  }
  const now = c.ctx.now();
  const since = new Date(now.getTime() - REPLACED_ADDRESS_NOTICE_DAYS * 86_400_000).toISOString();
  const replaced = await c.m.find(MailOutboxEntity, { where: { patientId, template: 'emailChanged', createdAt: MoreThanOrEqual(since) }, order: { createdAt: 'ASC' } });
  const addresses: string[] = patient.email ? [patient.email] : [];
  for (const { recipient } of replaced) {
    if (!addresses.some((a) => sameAddress(a, recipient))) {
      addresses.push(recipient);
    }
  }
  if (addresses.length === 0) {
    return;
  }
  for (const recipient of addresses) {
    await enqueueMail(c.m, c.ctx.secret, { clinicId: c.clinic.id, recipient, template: 'passwordChanged', payload: payloadOf(c, patient), patientId }, now);
  }
  const detail = `mail=current-address${addresses.length > 1 ? ` previous-addresses=${addresses.length - 1}` : ''}`;
  await audit(c.m, c.clinic.id, actor, 'patient.password_change_notice', { type: 'patient', id: patientId }, now, detail);
}
