import type { EntityManager } from 'typeorm';
import { MailOutboxEntity } from '../../../../shared/node/entities/server';
import { newId } from '../../../../shared/node/secrets';
import { sealMailPayload } from './sealedPayload';

/**
 * Queues a mail in the caller's transaction; the dispatcher sends it after commit. The payload is
 * sealed with a key derived from the server's `secret` (sealedPayload.ts): never written in clear.
 */
export async function enqueueMail(
  m: EntityManager,
  secret: string,
  mail: { clinicId: string; recipient: string; template: string; payload: object; patientId: string; invitationId?: string; passwordResetId?: string; recoveryId?: string },
  now: Date,
): Promise<void> {
  const id = newId();
  await m.insert(MailOutboxEntity, {
    id,
    clinicId: mail.clinicId,
    recipient: mail.recipient,
    template: mail.template,
    payload: sealMailPayload(secret, { id, template: mail.template }, mail.payload),
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
