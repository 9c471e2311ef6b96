/**
 * Whether a queued mail may still go out, judged at the moment of sending: intents that arrive
 * together (an offline desk's invite, revoke, address fix, resend) are all applied before the
 * dispatcher runs, so what they undid is never mailed.
 */
import type { EntityManager } from 'typeorm';
import { In, IsNull, MoreThan, Not } from 'typeorm';
import { EmailChangeEntity } from '../../../../shared/node/entities/emailChange';
import { AccountRecoveryEntity } from '../../../../shared/node/entities/recovery';
import { PasswordResetEntity } from '../../../../shared/node/entities/security';
import { InvitationEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { InvitationRow, MailOutboxRow } from '../../../../shared/node/entities/server';
import { ACCOUNT_NOTICES } from './templates';

export interface NotLive {
  /** Kept on the outbox row as its lastError. */
  reason: string;
  /**
   * An invitation still live but whose mail cannot go out (the address changed under it): the
   * desk must see that it was not delivered.
   */
  undeliveredInvitation?: InvitationRow;
}

export const sameAddress = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Null when the mail may be sent now; otherwise why not. */
export async function whyNotLive(m: EntityManager, mail: MailOutboxRow, now: Date): Promise<NotLive | null> {
  const nowIso = now.toISOString();
  let patientId = mail.patientId;
  let invitation: InvitationRow | null = null;
  if (mail.template === 'invitation') {
    invitation = mail.invitationId ? await m.findOneBy(InvitationEntity, { id: mail.invitationId }) : null;
    if (!invitation) {
      return { reason: 'Not sent: the invitation no longer exists.' };
    }
    if (invitation.status !== 'sent') {
      return { reason: `Not sent: the invitation was ${invitation.status} before its turn came.` };
    }
    if (invitation.expiresAt <= nowIso) {
      return { reason: 'Not sent: the invitation expired before its turn came.' };
    }
    if (await m.exists(InvitationEntity, { where: { patientId: invitation.patientId, id: Not(invitation.id), status: In(['sent']) } })) {
      return { reason: 'Not sent: a newer invitation replaced it.' };
    }
    patientId = invitation.patientId;
  }
  if (mail.template === 'passwordReset') {
    const reset = mail.passwordResetId ? await m.findOneBy(PasswordResetEntity, { id: mail.passwordResetId }) : null;
    if (!reset || reset.usedAt || reset.expiresAt <= nowIso) {
      return { reason: 'Not sent: the password link was used, replaced by a newer one, or expired.' };
    }
  }
  if (mail.template === 'recoveryCode') {
    const recovery = mail.recoveryId ? await m.findOneBy(AccountRecoveryEntity, { id: mail.recoveryId }) : null;
    if (!recovery || recovery.usedAt || !recovery.accountId || recovery.expiresAt <= nowIso) {
      return { reason: 'Not sent: the recovery code was used, replaced by a newer one, or expired.' };
    }
  }
  if (mail.template === 'emailChangeCode') {
    // Goes to the NEW address (not the patient's yet): live while a change to it waits for its code.
    const change = patientId ? await m.findOneBy(EmailChangeEntity, { patientId, newEmail: mail.recipient, usedAt: IsNull(), expiresAt: MoreThan(nowIso) }) : null;
    return change ? null : { reason: 'Not sent: the email change was confirmed, replaced by a newer one, or expired.' };
  }
  if (patientId) {
    const patient = await m.findOneBy(PatientEntity, { id: patientId });
    if (!patient || patient.deletedAt) {
      return { reason: 'Not sent: the patient no longer exists.' };
    }
    if (!sameAddress(patient.email, mail.recipient) && !ACCOUNT_NOTICES.includes(mail.template)) {
      return { reason: "Not sent: the patient's email address changed after it was queued.", ...(invitation ? { undeliveredInvitation: invitation } : {}) };
    }
  }
  return null;
}
