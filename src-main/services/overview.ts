import type { StaffDirectoryEntry } from '../../shared/domain/staff';
import type { IpcContract } from '../../shared/ipc/contract';
import { queryRows } from '../replica/replicaRows';
import type { ReplicaDeps } from './deps';
import { invitationsNeedingAttention } from './patientQueries';
import { staffDirectory } from './rowSupport';

export type WorkCounts = IpcContract['work.counts']['result'];

/** Small reads for the whole console: the staff directory and the navigation badges. */
export class OverviewService {
  constructor(private readonly deps: Pick<ReplicaDeps, 'db' | 'session' | 'now'>) {}

  /** Everyone on staff as last synced, by name: physicians to book, colleagues to route a thread to. */
  async directory(): Promise<StaffDirectoryEntry[]> {
    await this.deps.session.requireSignedIn();
    return this.deps.db.read(staffDirectory);
  }

  /** Appointment and renewal requests waiting for the clinic, and conversations with unread patient messages. */
  async counts(): Promise<WorkCounts> {
    await this.deps.session.requireSignedIn();
    return this.deps.db.read(async (m) => ({
      appointmentRequests: await queryRows(m, 'appointment').andWhere("json_extract(r.data, '$.status') = 'requested'").getCount(),
      renewalRequests: await queryRows(m, 'renewal').andWhere("json_extract(r.data, '$.status') = 'requested'").getCount(),
      unreadThreads: await queryRows(m, 'thread').andWhere("json_extract(r.data, '$.unreadForStaff') > 0").getCount(),
      invitationsNeedingAttention: (await invitationsNeedingAttention(m, this.deps.now())).length,
    }));
  }
}
