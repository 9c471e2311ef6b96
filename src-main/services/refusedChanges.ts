import { DomainError } from '../../shared/api/errors';
import type { SyncStatus } from '../../shared/ipc/contract';
import type { Database } from '../../shared/node/db';
import type { OutboxStatusView } from '../replica/outbox';
import type { Session } from '../session/session';

export interface RefusedChangesDeps {
  db: Database;
  outbox: Pick<OutboxStatusView, 'dismiss'>;
  session: Session;
  /** Reads the sync status and tells every window (the engine's own status, so later syncs start from it). */
  publishStatus: () => Promise<SyncStatus>;
}

/** Refused and conflicting changes stay listed in the sync bar until a staff member says they dealt with them. */
export class RefusedChangesService {
  constructor(private readonly deps: RefusedChangesDeps) {}

  async dismiss(seq: number): Promise<SyncStatus> {
    await this.deps.session.requireSignedIn();
    if (!Number.isInteger(seq) || seq < 1) {
      throw new DomainError('validation_failed', 'That refused change is not known.');
    }
    // Only a listed (rejected) entry turns 'dismissed': kept for troubleshooting, no longer shown.
    if (!(await this.deps.db.write((m) => this.deps.outbox.dismiss(m, seq)))) {
      throw new DomainError('not_found', 'That refused change is no longer listed. It may have been dismissed already.');
    }
    // Every window shows the shorter list, not only the one that asked.
    return this.deps.publishStatus();
  }
}
