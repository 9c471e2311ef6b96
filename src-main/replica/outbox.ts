import type { EntityManager } from 'typeorm';
import { Between, In, LessThan, Not } from 'typeorm';
import type { RejectedChange } from '../../shared/ipc/contract';
import { argsVersionOf } from '../../shared/sync/protocol';
import type { Mutation, MutationArgs, MutationName } from '../../shared/sync/protocol';
import { OutboxEntity } from './entities';
import type { OutboxRow } from './entities';
import type { RowKey } from './replicaRows';
import { getState, setState } from './syncState';

export interface NewOutboxEntry<N extends MutationName> {
  name: N;
  args: MutationArgs[N];
  staffUserId: string;
  description: string;
  patientId: string | null;
  invitationId: string | null;
  /** The replica_row rows this change shows locally (rolled back if it is refused). */
  rows?: RowKey[];
  now: Date;
}

/** The rows with local changes the server has not accepted yet. */
export interface PendingRows {
  patients: Set<string>;
  invitations: Set<string>;
  /** replica_row keys → number of pending changes showing on that row. */
  rows: Map<string, number>;
}

/** Mutations that change the patient row itself (others change its invitations). */
export const PATIENT_MUTATIONS: readonly MutationName[] = ['preRegisterPatient', 'updatePatient'];
/** Changes a patient list row counts as its own: to the patient or their invitations. */
const PATIENT_LIST_MUTATIONS: readonly MutationName[] = [...PATIENT_MUTATIONS, 'sendInvitation', 'revokeInvitation'];

function keysOf(row: Pick<OutboxRow, 'rowKeys'>): string[] {
  return row.rowKeys ? (JSON.parse(row.rowKeys) as string[]) : [];
}

/**
 * The outbox of local changes. Services append inside their write; the sync engine pushes.
 * It also remembers which entries are being pushed right now: those must not be rewritten,
 * since the server may already be applying them.
 */
export class Outbox {
  private inFlightUpTo = 0;

  /** Appends a mutation with the next contiguous seq; call inside the write that makes the local change. */
  async append<N extends MutationName>(m: EntityManager, entry: NewOutboxEntry<N>): Promise<number> {
    const last = (await getState(m, 'lastOutboxSeq')) ?? 0;
    const max = await m.createQueryBuilder(OutboxEntity, 'o').select('MAX(o.seq)', 'max').getRawOne<{ max: number | null }>();
    const seq = Math.max(last, max?.max ?? 0) + 1;
    await m.insert(OutboxEntity, {
      seq,
      name: entry.name,
      argsVersion: argsVersionOf(entry.name),
      args: JSON.stringify(entry.args),
      staffUserId: entry.staffUserId,
      createdAt: entry.now.toISOString(),
      status: 'pending',
      patientId: entry.patientId,
      invitationId: entry.invitationId,
      rowKeys: entry.rows && entry.rows.length > 0 ? JSON.stringify(entry.rows) : null,
      description: entry.description.slice(0, 300),
      error: null,
      errorCode: null,
      resolvedAt: null,
    });
    await setState(m, 'lastOutboxSeq', seq);
    return seq;
  }

  /**
   * A pending, not yet pushed entry of `name` for this patient that a new change may be folded
   * into, so an offline edit of a patient who is still waiting to be sent stays one intent.
   */
  async foldable<N extends MutationName>(m: EntityManager, name: N, patientId: string): Promise<(OutboxRow & { name: N }) | null> {
    const rows = await m.find(OutboxEntity, { where: { name, patientId, status: 'pending' }, order: { seq: 'DESC' }, take: 1 });
    const row = rows[0];
    return row && row.seq > this.inFlightUpTo && (await madeByCurrentStaff(m, row)) ? (row as OutboxRow & { name: N }) : null;
  }

  /**
   * The last pending entry showing on this replica row, if it is not being pushed right now: a
   * new change of the same kind can be folded into it, so offline edits of one row stay one intent.
   */
  async latestForRow(m: EntityManager, key: RowKey): Promise<OutboxRow | null> {
    const rows = await m
      .createQueryBuilder(OutboxEntity, 'o')
      .where({ status: 'pending' })
      .andWhere('o.rowKeys LIKE :key', { key: `%"${key}"%` })
      .orderBy('o.seq', 'DESC')
      .take(1)
      .getMany();
    const row = rows[0];
    return row && row.seq > this.inFlightUpTo && keysOf(row).includes(key) && (await madeByCurrentStaff(m, row)) ? row : null;
  }

  /** Replaces a foldable entry's args (and what it is about), keeping its seq. */
  async rewrite<N extends MutationName>(
    m: EntityManager,
    seq: number,
    args: MutationArgs[N],
    also: { description?: string; invitationId?: string | null } = {},
  ): Promise<void> {
    await m.update(OutboxEntity, { seq }, { args: JSON.stringify(args), ...also });
  }

  /**
   * The next pending entries in seq order, all made by one staff member (a push carries that
   * person's device token, so the server attributes them rightly); in flight until `settled()`.
   */
  async takeBatch(m: EntityManager, limit: number): Promise<Mutation[]> {
    const pending = await m.find(OutboxEntity, { where: { status: 'pending' }, order: { seq: 'ASC' }, take: limit });
    const firstOther = pending.findIndex((r) => r.staffUserId !== pending[0]?.staffUserId);
    const rows = firstOther < 0 ? pending : pending.slice(0, firstOther);
    const last = rows[rows.length - 1];
    this.inFlightUpTo = last ? last.seq : 0;
    return rows.map(toMutation);
  }

  settled(): void {
    this.inFlightUpTo = 0;
  }

  countPending(m: EntityManager): Promise<number> {
    return m.countBy(OutboxEntity, { status: 'pending' });
  }

  /** patientId → number of pending changes about that patient. */
  async pendingByPatient(m: EntityManager, patientIds: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (patientIds.length === 0) {
      return counts;
    }
    for (let i = 0; i < patientIds.length; i += 500) {
      const rows = await m
        .createQueryBuilder(OutboxEntity, 'o')
        .select('o.patientId', 'patientId')
        .addSelect('COUNT(*)', 'n')
        .where({ status: 'pending', patientId: In(patientIds.slice(i, i + 500)), name: In([...PATIENT_LIST_MUTATIONS]) })
        .groupBy('o.patientId')
        .getRawMany<{ patientId: string; n: number | string }>();
      for (const row of rows) {
        counts.set(row.patientId, Number(row.n));
      }
    }
    return counts;
  }

  /** Ids of rows with local changes the server has not accepted yet. */
  async pendingRows(m: EntityManager): Promise<PendingRows> {
    const rows = await m.find(OutboxEntity, { where: { status: 'pending' }, select: { seq: true, name: true, patientId: true, invitationId: true, rowKeys: true } });
    const patients = new Set<string>();
    const invitations = new Set<string>();
    const keyed = new Map<string, number>();
    for (const row of rows) {
      for (const key of keysOf(row)) {
        keyed.set(key, (keyed.get(key) ?? 0) + 1);
      }
      if (row.patientId && PATIENT_MUTATIONS.includes(row.name)) {
        patients.add(row.patientId);
      }
      if (row.invitationId) {
        invitations.add(row.invitationId);
      }
    }
    return { patients, invitations, rows: keyed };
  }

  async rejected(m: EntityManager, limit = 20): Promise<RejectedChange[]> {
    const rows = await m.find(OutboxEntity, { where: { status: 'rejected' }, order: { seq: 'DESC' }, take: limit });
    return rows.map((r) => {
      const conflict = r.errorCode === 'conflict';
      return {
        seq: r.seq,
        description: r.description,
        reason: r.error ?? 'The server refused this change.',
        at: r.resolvedAt ?? r.createdAt,
        kind: conflict ? ('conflict' as const) : ('refused' as const),
        whatToDo: conflict
          ? 'Someone else changed this meanwhile: open it again, check the current details and redo your change if it is still needed.'
          : 'Nothing was changed on the server. Correct what the reason names and make the change again, or leave it if it no longer applies.',
      };
    });
  }

  async get(m: EntityManager, seqs: number[]): Promise<OutboxRow[]> {
    return seqs.length === 0 ? [] : m.findBy(OutboxEntity, { seq: In(seqs) });
  }

  /**
   * The highest seq the server has said it holds for this client. Replicas from before this was
   * recorded take what they had settled: everything below the first waiting entry.
   */
  async ackedSeq(m: EntityManager, clientId: string): Promise<number> {
    const stored = await getState(m, 'ackedSeq');
    if (stored?.clientId === clientId) {
      return stored.seq;
    }
    const [first] = await m.find(OutboxEntity, { where: { status: 'pending' }, order: { seq: 'ASC' }, take: 1 });
    return first ? first.seq - 1 : ((await getState(m, 'lastOutboxSeq')) ?? 0);
  }

  async noteAcked(m: EntityManager, clientId: string, seq: number): Promise<void> {
    if (seq > (await this.ackedSeq(m, clientId))) {
      await setState(m, 'ackedSeq', { clientId, seq });
    }
  }

  /** Entries the server had accepted above `serverLast` that are still kept here, oldest first. */
  async settledAbove(m: EntityManager, serverLast: number, upTo: number): Promise<OutboxRow[]> {
    return m.find(OutboxEntity, { where: { seq: Between(serverLast + 1, upTo), status: Not('pending') }, order: { seq: 'ASC' } });
  }

  /**
   * The server holds only up to `serverLast` of what it had accepted (restored from an older
   * backup): the kept applied entries in `resend` wait to be pushed again, in their old seq order.
   * Seqs that cannot be sent again (pruned, refused, or by someone whose sign-in is gone) will be
   * skipped (see Mutation.prevSeq); when some of those had been applied, staff are told.
   */
  async requeueLost(m: EntityManager, clientId: string, serverLast: number, resend: OutboxRow[], now: Date): Promise<void> {
    const acked = await this.ackedSeq(m, clientId);
    const kept = await this.settledAbove(m, serverLast, acked);
    const resent = new Set(resend.map((r) => r.seq));
    for (const row of resend) {
      await m.update(OutboxEntity, { seq: row.seq, status: 'applied' }, { status: 'pending', resolvedAt: null });
    }
    // Lost: applied entries that cannot be sent again, and seqs no longer kept (older than any kept one).
    const lostKept = kept.filter((r) => r.status === 'applied' && !resent.has(r.seq)).map((r) => r.createdAt);
    const pruned = acked - serverLast - kept.length;
    const dates = pruned > 0 ? [...lostKept, kept[0]?.createdAt ?? now.toISOString()] : lostKept;
    if (dates.length > 0) {
      const earlier = (await getState(m, 'resendGap'))?.count ?? 0;
      await setState(m, 'resendGap', { count: earlier + lostKept.length + Math.max(0, pruned), upTo: dates.sort().at(-1) as string, at: now.toISOString() });
    }
    await setState(m, 'ackedSeq', { clientId, seq: serverLast });
  }

  /**
   * Accepted entries (kept to resend after a server restore) and dismissed refusals (kept for
   * troubleshooting) are dropped after a while; the seq counter lives in sync_state. Refusals
   * still listed stay until staff dismiss them.
   */
  async pruneApplied(m: EntityManager, olderThan: Date): Promise<void> {
    await m.delete(OutboxEntity, { status: In(['applied', 'dismissed']), resolvedAt: LessThan(olderThan.toISOString()) });
  }
}

/** Folding a change into someone else's entry would send it under their name. */
async function madeByCurrentStaff(m: EntityManager, row: OutboxRow): Promise<boolean> {
  return row.staffUserId === (await getState(m, 'staff'))?.id;
}

function toMutation(row: OutboxRow): Mutation {
  return {
    seq: row.seq,
    name: row.name,
    // Entries queued before an upgrade keep the args version they were written in.
    argsVersion: row.argsVersion === 2 ? 2 : 1,
    args: JSON.parse(row.args) as Mutation['args'],
    createdAt: row.createdAt,
    staffUserId: row.staffUserId,
  };
}
