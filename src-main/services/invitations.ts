import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../shared/api/errors';
import type { InvitationAttentionItem, PatientListItem } from '../../shared/ipc/contract';
import type { MutationArgs } from '../../shared/sync/protocol';
import { LocalInvitationEntity, LocalPatientEntity } from '../replica/entities';
import type { LocalPatientRow } from '../replica/entities';
import { patientName, queuedInvitationRow, toInvitationRecord } from '../replica/records';
import type { ReplicaDeps } from './deps';
import { invitationsNeedingAttention, invitationsOf, latestInvitation, toListItems } from './patientQueries';

/**
 * Sending, resending and revoking portal invitations. The server makes the Registration ID and
 * mails it when the intent arrives; until then the invitation shows as "Waiting to send".
 */
export class InvitationService {
  constructor(private readonly deps: ReplicaDeps) {}

  /** Send or resend: a new invitation; the server revokes any earlier one of the patient. */
  async send(patientId: string): Promise<PatientListItem> {
    const { staff } = await this.deps.session.requireSignedIn();
    const now = this.deps.now();
    const { item, changed } = await this.deps.db.write(async (m) => {
      const patient = await requirePatient(m, patientId);
      if (patient.email === '') {
        throw new DomainError('validation_failed', `${patientName(patient)} has no email address, so the invitation cannot be emailed. Print an invitation letter instead.`);
      }
      const latest = latestInvitation(await invitationsOf(m, patientId));
      if (latest?.status === 'registered') {
        throw new DomainError('invitation_used', `${patientName(patient)} has already registered for the portal. There is no invitation to send.`);
      }
      if (latest?.status === 'queued') {
        // One is already waiting to send: pressing "Send" again must not mail the patient twice.
        return { item: await this.item(m, patient), changed: false };
      }
      const invitationId = randomUUID();
      await m.insert(LocalInvitationEntity, queuedInvitationRow(invitationId, patientId, now));
      const pendingCreate = await this.deps.outbox.foldable(m, 'preRegisterPatient', patientId);
      const createArgs = pendingCreate ? (JSON.parse(pendingCreate.args) as MutationArgs['preRegisterPatient']) : null;
      if (pendingCreate && createArgs && createArgs.invitationId === null) {
        await this.deps.outbox.rewrite(m, pendingCreate.seq, { ...createArgs, invitationId }, { invitationId });
      } else {
        await this.deps.outbox.append(m, {
          name: 'sendInvitation',
          args: { patientId, invitationId },
          staffUserId: staff.id,
          description: `${latest ? 'Resend' : 'Send'} invitation to ${patientName(patient)}`,
          patientId,
          invitationId,
          now,
        });
      }
      return { item: await this.item(m, patient), changed: true };
    });
    if (changed) {
      this.deps.onLocalWrite(['invitation']);
    }
    return item;
  }

  /** Revokes the patient's latest invitation, so its link and Registration ID stop working. */
  async revoke(patientId: string): Promise<PatientListItem> {
    const { staff } = await this.deps.session.requireSignedIn();
    const now = this.deps.now();
    const { item, changed } = await this.deps.db.write(async (m) => {
      const patient = await requirePatient(m, patientId);
      const latest = latestInvitation(await invitationsOf(m, patientId));
      if (!latest) {
        throw new DomainError('not_found', `${patientName(patient)} has no invitation to revoke.`);
      }
      if (latest.status === 'registered') {
        throw new DomainError('invitation_used', `${patientName(patient)} has already registered with this invitation; it cannot be revoked.`);
      }
      if (latest.status === 'revoked' || latest.status === 'expired') {
        return { item: await this.item(m, patient), changed: false };
      }
      const pendingCreate = await this.deps.outbox.foldable(m, 'preRegisterPatient', patientId);
      const createArgs = pendingCreate ? (JSON.parse(pendingCreate.args) as MutationArgs['preRegisterPatient']) : null;
      if (pendingCreate && createArgs?.invitationId === latest.id) {
        // The invitation never left this computer: take it out of the intent, so no email goes out at all.
        await this.deps.outbox.rewrite(m, pendingCreate.seq, { ...createArgs, invitationId: null }, { invitationId: null });
        await m.delete(LocalInvitationEntity, { id: latest.id });
      } else {
        await m.update(
          LocalInvitationEntity,
          { id: latest.id },
          {
            status: 'revoked',
            statusChangedAt: now.toISOString(),
            serverCopy: latest.serverCopy ?? (latest.version > 0 ? JSON.stringify(toInvitationRecord(latest)) : null),
          },
        );
        await this.deps.outbox.append(m, {
          name: 'revokeInvitation',
          args: { invitationId: latest.id },
          staffUserId: staff.id,
          description: `Revoke invitation for ${patientName(patient)}`,
          patientId,
          invitationId: latest.id,
          now,
        });
      }
      return { item: await this.item(m, patient), changed: true };
    });
    if (changed) {
      this.deps.onLocalWrite(['invitation']);
    }
    return item;
  }

  /** The desk's "Invitations needing attention" worklist, oldest first. */
  async needingAttention(): Promise<InvitationAttentionItem[]> {
    await this.deps.session.requireSignedIn();
    const now = this.deps.now();
    return this.deps.db.read(async (m) => {
      const found = await invitationsNeedingAttention(m, now);
      const items = await toListItems(m, this.deps.outbox, found.map((f) => f.patient));
      return items.map((item, i) => ({ ...item, reason: found[i]?.reason ?? 'not_registered' }));
    });
  }

  private async item(m: EntityManager, patient: LocalPatientRow): Promise<PatientListItem> {
    const [item] = await toListItems(m, this.deps.outbox, [patient]);
    if (!item) {
      throw new DomainError('not_found', 'That patient is not on this computer. Search again.');
    }
    return item;
  }
}

async function requirePatient(m: EntityManager, patientId: string): Promise<LocalPatientRow> {
  const row = await m.findOneBy(LocalPatientEntity, { id: patientId });
  if (!row) {
    throw new DomainError('not_found', 'That patient is not on this computer. Search again.');
  }
  return row;
}
