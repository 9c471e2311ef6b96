import type { EntityManager } from 'typeorm';
import { DomainError } from '../../shared/api/errors';
import { RENEWAL_STATUS_LABELS } from '../../shared/domain/renewal';
import type { RenewalListItem } from '../../shared/ipc/contract';
import { renewalDecisionSchema } from '../../shared/validation/requests';
import type { RenewalDecisionForm } from '../../shared/validation/requests';
import { validateOrThrow } from '../../shared/validation/validate';
import { findStored, listStored, queryRows, rowKey, writeLocal } from '../replica/replicaRows';
import type { RowKey, Stored } from '../replica/replicaRows';
import type { ReplicaDeps } from './deps';
import { baseVersionOf, nameOfPatient, requirePhysician, withPatient } from './rowSupport';
import { staffById } from '../replica/replicaRows';

const MAX_REFILLS = 99;

/** The renewal queue: every staff member sees it; only a physician decides. */
export class RenewalService {
  constructor(private readonly deps: ReplicaDeps) {}

  /** Waiting requests oldest first; with 'all', decided ones too, newest first after them. */
  async queue(filter: 'requested' | 'all'): Promise<RenewalListItem[]> {
    await this.deps.session.requireSignedIn();
    if (filter !== 'requested' && filter !== 'all') {
      throw new DomainError('validation_failed', 'Choose which renewal requests to show.');
    }
    return this.deps.db.read(async (m) => {
      const qb = queryRows(m, 'renewal');
      if (filter === 'requested') {
        qb.andWhere("json_extract(r.data, '$.status') = 'requested'");
      }
      const rows = await listStored<'renewal'>(qb);
      rows.sort((a, b) => {
        const aWaits = a.record.status === 'requested';
        const bWaits = b.record.status === 'requested';
        if (aWaits !== bWaits) {
          return aWaits ? -1 : 1;
        }
        return aWaits ? a.record.requestedAt.localeCompare(b.record.requestedAt) : b.record.requestedAt.localeCompare(a.record.requestedAt);
      });
      return this.items(m, rows);
    });
  }

  /** Approve (adding refills to the medication) or deny with a reason the patient sees. */
  async decide(form: RenewalDecisionForm & { renewalId: string }): Promise<RenewalListItem> {
    const signedIn = await this.deps.session.requireSignedIn();
    const physician = requirePhysician(signedIn, 'approve or deny a renewal');
    const valid = validateOrThrow(renewalDecisionSchema, form);
    const decision = valid.decision;
    const refillsGranted = decision === 'approved' ? (valid.refillsGranted ?? null) : null;
    const now = this.deps.now();
    const item = await this.deps.db.write(async (m) => {
      const current = await findStored(m, 'renewal', form.renewalId);
      if (!current) {
        throw new DomainError('not_found', 'That renewal request is not on this computer. Reload the list.');
      }
      if (current.record.status !== 'requested') {
        throw new DomainError('conflict', `This renewal was already ${RENEWAL_STATUS_LABELS[current.record.status].toLowerCase()}. Reload the list.`);
      }
      const baseVersion = baseVersionOf(current.row);
      const rows: RowKey[] = [rowKey('renewal', current.record.id)];
      await writeLocal(m, 'renewal', { ...current.record, status: decision, decisionNote: valid.note || null, decidedById: physician.id, decidedAt: now.toISOString(), updatedAt: now.toISOString() }, current.row);
      if (decision === 'approved') {
        const medication = await findStored(m, 'medication', current.record.medicationId);
        if (!medication) {
          throw new DomainError('conflict', "This medication is no longer on the patient's record, so the renewal cannot be approved. Deny it with a reason instead.");
        }
        // Show the new refills at once, as the server will when it applies the approval.
        const refillsLeft = Math.min(MAX_REFILLS, medication.record.refillsLeft + (refillsGranted ?? 1));
        await writeLocal(m, 'medication', { ...medication.record, refillsLeft, updatedAt: now.toISOString() }, medication.row);
        rows.push(rowKey('medication', medication.record.id));
      }
      const verb = decision === 'approved' ? 'Approve' : 'Deny';
      await this.deps.outbox.append(m, {
        name: 'decideRenewal',
        args: { renewalId: current.record.id, decision, note: valid.note, refillsGranted, baseVersion },
        staffUserId: physician.id,
        description: `${verb} the renewal of ${current.record.medicationName} for ${await nameOfPatient(m, current.record.patientId)}`,
        patientId: current.record.patientId,
        invitationId: null,
        rows,
        now,
      });
      const [first] = await this.items(m, [(await findStored(m, 'renewal', current.record.id)) as Stored<'renewal'>]);
      return first as RenewalListItem;
    });
    this.deps.onLocalWrite(decision === 'approved' ? ['renewal', 'medication'] : ['renewal']);
    return item;
  }

  private async items(m: EntityManager, rows: Stored<'renewal'>[]): Promise<RenewalListItem[]> {
    const staff = await staffById(m);
    const items = await withPatient(m, this.deps, rows);
    return items.map((item) => ({ ...item, decidedByName: item.row.decidedById ? (staff.get(item.row.decidedById)?.displayName ?? null) : null }));
  }
}
