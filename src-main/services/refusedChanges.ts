import { DomainError } from '../../shared/api/errors';
import type { SyncStatus } from '../../shared/ipc/contract';
import type { Database } from '../../shared/node/db';
import { PHYSICIAN_MUTATIONS } from '../../shared/sync/protocol';
import type { OutboxStatusView, OutboxWriter } from '../replica/outbox';
import { rollBackRejected } from '../replica/replicaApply';
import type { Session } from '../session/session';

export interface RefusedChangesDeps {
  db: Database;
  outbox: Pick<OutboxStatusView, 'dismiss' | 'held' | 'resendHeld' | 'discardHeld' | 'pendingRows'> & Pick<OutboxWriter, 'append'>;
  session: Session;
  now(): Date;
  /** A committed local write: views reload these tables and the engine pushes soon. */
  onLocalWrite(tables: string[]): void;
  /** Reads the sync status and tells every window (the engine's own status, so later syncs start from it). */
  publishStatus: () => Promise<SyncStatus>;
}

/**
 * What staff do about changes the server did not take: refused and conflicting ones stay listed
 * until someone says they dealt with them; held ones (their author can no longer push from this
 * console) wait until someone sends them again or an admin discards them.
 */
export class RefusedChangesService {
  constructor(private readonly deps: RefusedChangesDeps) {}

  async dismiss(seq: number): Promise<SyncStatus> {
    await this.deps.session.requireSignedIn();
    requireSeq(seq, 'That refused change is not known.');
    // Only a listed (rejected) entry turns 'dismissed': kept for troubleshooting, no longer shown.
    if (!(await this.deps.db.write((m) => this.deps.outbox.dismiss(m, seq)))) {
      throw new DomainError('not_found', 'That refused change is no longer listed. It may have been dismissed already.');
    }
    // Every window shows the shorter list, not only the one that asked.
    return this.deps.publishStatus();
  }

  /** Sends a held change again in the signed-in person's name, recorded on the server as entered for its author. */
  async resendHeld(seq: number): Promise<SyncStatus> {
    const { staff } = await this.deps.session.requireSignedIn();
    requireSeq(seq, 'That held change is not known.');
    await this.deps.db.write(async (m) => {
      const row = (await this.deps.outbox.held(m)).find((r) => r.seq === seq);
      if (!row) {
        throw new DomainError('not_found', 'That held change is no longer listed. Someone may have sent or discarded it already.');
      }
      if (PHYSICIAN_MUTATIONS.includes(row.name) && staff.role !== 'physician') {
        throw new DomainError('forbidden', 'Only a physician can send this change again: it changes a medical record or a renewal.');
      }
      await this.deps.outbox.resendHeld(m, seq, staff.id, this.deps.now());
    });
    this.deps.onLocalWrite([]);
    return this.deps.publishStatus();
  }

  /** Admins only: drops a held change for good, puts its rows back as the server has them, and has the server audit it. */
  async discardHeld(seq: number): Promise<SyncStatus> {
    const { staff } = await this.deps.session.requireSignedIn();
    requireSeq(seq, 'That held change is not known.');
    if (staff.role !== 'admin') {
      throw new DomainError('forbidden', 'Only a clinic admin can discard a change someone else made.');
    }
    const now = this.deps.now();
    const tables = await this.deps.db.write(async (m) => {
      const row = await this.deps.outbox.discardHeld(m, seq, now);
      if (!row) {
        throw new DomainError('not_found', 'That held change is no longer listed. Someone may have sent or discarded it already.');
      }
      await this.deps.outbox.append(m, {
        name: 'changeDiscarded',
        args: { authorStaffUserId: row.staffUserId, intent: row.name, patientId: row.patientId, madeAt: row.createdAt },
        staffUserId: staff.id,
        description: `Discard “${row.description}”`,
        patientId: row.patientId,
        invitationId: null,
        now,
      });
      return rollBackRejected(m, this.deps.outbox, [row]);
    });
    this.deps.onLocalWrite([...tables]);
    return this.deps.publishStatus();
  }
}

function requireSeq(seq: number, message: string): void {
  if (!Number.isInteger(seq) || seq < 1) {
    throw new DomainError('validation_failed', message);
  }
}
