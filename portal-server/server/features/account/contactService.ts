/**
 * The signed-in patient's own contact details on Account. A new phone number is saved at once; a
 * new email address only after the 6-digit code sent to it comes back, and then the OLD address
 * is told. Both reach the consoles through the sync feed (the patient row is a synced row).
 */
import { randomInt } from 'node:crypto';
import { IsNull } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { ContactView } from '../../../../shared/api/contact';
import { DomainError } from '../../../../shared/api/errors';
import { lockKey } from '../../../../shared/node/db';
import { EmailChangeEntity } from '../../../../shared/node/entities/emailChange';
import type { EmailChangeRow } from '../../../../shared/node/entities/emailChange';
import { PatientEntity } from '../../../../shared/node/entities/server';
import { keyedHash, newId, sameHash, verifyPassword } from '../../../../shared/node/secrets';
import {
  EMAIL_CHANGE_CODE_MINUTES,
  EMAIL_CHANGE_FAILED_MESSAGE,
  EMAIL_CHANGE_MAX_TRIES,
  EMAIL_IN_USE_MESSAGE,
  changeEmailSchema,
  changePhoneSchema,
  confirmEmailSchema,
} from '../../../../shared/validation/contact';
import { changeLanguageSchema } from '../../../../shared/validation/language';
import { validateOrThrow } from '../../../../shared/validation/validate';
import type { ServerContext } from '../../context';
import { audit } from '../audit/audit';
import type { PatientCall } from '../calls';
import { patientWriter } from '../calls';
import { sameAddress } from '../mail/liveness';
import { notifyEmailChanged } from '../mail/notify';
import { patientMailLanguage } from '../mail/mailLayout';
import { enqueueMail } from '../mail/outbox';
import type { EmailChangeCodeMailPayload } from '../mail/templates';
import type { PatientPrincipal } from '../patient-session/service';
import { updateSynced } from '../sync/writeSynced';

const NOT_CURRENT = 'That is not your current password.';
const SAME_EMAIL = 'That is already your email address.';

export type { ContactView };

function codeHashOf(ctx: ServerContext, changeId: string, code: string): string {
  return keyedHash(ctx.secret, `email-change:${changeId}:${code}`);
}

async function liveChange(c: PatientCall): Promise<EmailChangeRow | null> {
  const row = await c.m.findOne(EmailChangeEntity, { where: { accountId: c.accountId, usedAt: IsNull() }, order: { createdAt: 'DESC' } });
  return row && row.expiresAt > c.ctx.now().toISOString() && row.failedTries < EMAIL_CHANGE_MAX_TRIES ? row : null;
}

export async function contactDetails(c: PatientCall): Promise<ContactView> {
  return { email: c.patient.email, phone: c.patient.phone ?? '', pendingEmail: (await liveChange(c))?.newEmail ?? null };
}

/** A new phone number, under the pre-registration rule; saved, audited, synced to the consoles. */
export async function changePhone(c: PatientCall, body: unknown): Promise<ContactView> {
  const { phone } = validateOrThrow(changePhoneSchema, body);
  const value = phone.trim();
  if (value !== (c.patient.phone ?? '')) {
    await updateSynced(patientWriter(c), 'patient', c.patient, { phone: value }, { action: 'patient.self_update', detail: 'fields=phone' });
  }
  return { ...(await contactDetails(c)), phone: value };
}

async function addressInUse(m: EntityManager, c: PatientCall, email: string): Promise<boolean> {
  const count = await m
    .createQueryBuilder(PatientEntity, 'p')
    .where('p.clinicId = :clinicId', { clinicId: c.clinic.id })
    .andWhere('LOWER(p.email) = :email', { email: email.toLowerCase() })
    .andWhere('p.id <> :id', { id: c.patient.id })
    .andWhere('p.deletedAt IS NULL')
    .getCount();
  return count > 0;
}

/**
 * Step 1: the current password (checked before anything is written) and the new address; a code
 * goes to the new address. Earlier open requests of the account end here: only the newest code works.
 */
export async function requestEmailChange(ctx: ServerContext, p: PatientPrincipal, body: unknown, run: <T>(fn: (c: PatientCall) => Promise<T>) => Promise<T>): Promise<ContactView> {
  const form = validateOrThrow(changeEmailSchema, body);
  const email = form.email.trim();
  if (!(await verifyPassword(p.account.passwordHash, form.currentPassword))) {
    await run((c) => audit(c.m, c.clinic.id, c.actor, 'patient.email_change_failed', { type: 'patient', id: c.patient.id }, ctx.now(), 'wrong=password'));
    throw new DomainError('validation_failed', NOT_CURRENT, { currentPassword: NOT_CURRENT });
  }
  return run(async (c) => {
    if (c.patient.email && sameAddress(c.patient.email, email)) {
      throw new DomainError('validation_failed', SAME_EMAIL, { email: SAME_EMAIL });
    }
    if (await addressInUse(c.m, c, email)) {
      throw new DomainError('validation_failed', EMAIL_IN_USE_MESSAGE, { email: EMAIL_IN_USE_MESSAGE });
    }
    await lockKey(c.m, `email-change:${c.accountId}`);
    const now = c.ctx.now();
    await c.m.update(EmailChangeEntity, { accountId: c.accountId, usedAt: IsNull() }, { usedAt: now.toISOString() });
    const id = newId();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await c.m.insert(EmailChangeEntity, {
      id,
      clinicId: c.clinic.id,
      accountId: c.accountId,
      patientId: c.patient.id,
      newEmail: email,
      codeHash: codeHashOf(c.ctx, id, code),
      failedTries: 0,
      expiresAt: new Date(now.getTime() + EMAIL_CHANGE_CODE_MINUTES * 60_000).toISOString(),
      usedAt: null,
      createdAt: now.toISOString(),
    });
    const payload: EmailChangeCodeMailPayload = { clinicName: c.clinic.name, clinicPhone: c.clinic.phone, code, minutes: EMAIL_CHANGE_CODE_MINUTES, language: patientMailLanguage(c.patient) };
    await enqueueMail(c.m, c.ctx.secret, { clinicId: c.clinic.id, recipient: email, template: 'emailChangeCode', payload, patientId: c.patient.id }, now);
    await audit(c.m, c.clinic.id, c.actor, 'patient.email_change_requested', { type: 'patient', id: c.patient.id }, now);
    return { email: c.patient.email, phone: c.patient.phone ?? '', pendingEmail: email };
  });
}

type Confirmation = { ok: true; view: ContactView } | { ok: false; error: DomainError };

/**
 * Step 2: the code from the new address. A wrong code counts as a try (EMAIL_CHANGE_MAX_TRIES,
 * then the change is dead); an expired, used or dead change is the same plain refusal. Right: the
 * address changes (synced, audited) and the old address is told. Returns a result rather than
 * throwing so a counted wrong try is committed.
 */
export async function confirmEmailChange(c: PatientCall, body: unknown): Promise<Confirmation> {
  const { code } = validateOrThrow(confirmEmailSchema, body);
  await lockKey(c.m, `email-change:${c.accountId}`);
  const row = await liveChange(c);
  const now = c.ctx.now();
  if (!row) {
    return { ok: false, error: new DomainError('verification_failed', EMAIL_CHANGE_FAILED_MESSAGE) };
  }
  if (!sameHash(codeHashOf(c.ctx, row.id, code), row.codeHash)) {
    const failedTries = row.failedTries + 1;
    await c.m.update(EmailChangeEntity, { id: row.id }, { failedTries });
    await audit(c.m, c.clinic.id, c.actor, 'patient.email_change_failed', { type: 'patient', id: c.patient.id }, now, `wrong=code tries=${failedTries}`);
    return { ok: false, error: new DomainError('verification_failed', EMAIL_CHANGE_FAILED_MESSAGE, { code: EMAIL_CHANGE_FAILED_MESSAGE }) };
  }
  // Someone else may have taken the address since the code was sent.
  if (await addressInUse(c.m, c, row.newEmail)) {
    await c.m.update(EmailChangeEntity, { id: row.id }, { usedAt: now.toISOString() });
    return { ok: false, error: new DomainError('validation_failed', EMAIL_IN_USE_MESSAGE) };
  }
  await c.m.update(EmailChangeEntity, { id: row.id }, { usedAt: now.toISOString() });
  const before = c.patient;
  await updateSynced(patientWriter(c), 'patient', before, { email: row.newEmail }, { action: 'patient.self_update', detail: 'fields=email' });
  await notifyEmailChanged({ ctx: c.ctx, m: c.m, clinic: c.clinic }, before, row.newEmail, c.actor, 'patient');
  return { ok: true, view: { email: row.newEmail, phone: before.phone ?? '', pendingEmail: null } };
}

/** The patient's language for the portal, emails and letters (issue 15); saved, audited, synced. */
export async function changeLanguage(c: PatientCall, body: unknown): Promise<void> {
  const { language } = validateOrThrow(changeLanguageSchema, body);
  if (language !== (c.patient.language ?? null)) {
    await updateSynced(patientWriter(c), 'patient', c.patient, { language }, { action: 'patient.self_update', detail: 'fields=language' });
  }
}
