import type { EntityManager } from 'typeorm';
import { MailOutboxEntity } from '../../../../shared/node/entities/server';
import { newId } from '../../../../shared/node/secrets';

/** Queues a mail in the caller's transaction; the dispatcher sends it after commit. */
export async function enqueueMail(
  m: EntityManager,
  mail: { clinicId: string; recipient: string; template: string; payload: object; patientId: string; invitationId?: string; passwordResetId?: string; recoveryId?: string },
  now: Date,
): Promise<void> {
  await m.insert(MailOutboxEntity, {
    id: newId(),
    clinicId: mail.clinicId,
    recipient: mail.recipient,
    template: mail.template,
    payload: JSON.stringify(mail.payload),
    status: 'pending',
    tries: 0,
    nextTryAt: now.toISOString(),
    lastError: null,
    invitationId: mail.invitationId ?? null,
    patientId: mail.patientId,
    passwordResetId: mail.passwordResetId ?? null,
    recoveryId: mail.recoveryId ?? null,
    createdAt: now.toISOString(),
    sentAt: null,
    claimToken: null,
    claimedUntil: null,
  });
}
