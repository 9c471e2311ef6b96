import type { EntityManager } from 'typeorm';
import { Between, In, IsNull, LessThan, Not } from 'typeorm';
import { DomainError } from '../../shared/api/errors';
import type { RejectedChange } from '../../shared/ipc/contract';
import { argsVersionOf } from '../../shared/sync/protocol';
import type { Mutation, MutationArgs, MutationName, PushResponse } from '../../shared/sync/protocol';
import { OutboxEntity } from './entities';
import type { OutboxRow } from './entities';
import type { RowKey } from './replicaRows';
import { distrustCursor, getState, setState } from './syncState';

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
  /** See OutboxRow.enteredFor. */
  enteredFor?: string | null;
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

/** What services do with the outbox: write an intent, or fold a new edit into one never sent. */
export type OutboxWriter = Pick<Outbox, 'append' | 'foldable' | 'latestForRow' | 'rewrite' | 'discardUnsent' | 'countRecent'>;

/** What screens and the session read: what waits, and what was refused. */
export type OutboxStatusView = Pick<Outbox, 'countPending' | 'pendingBy' | 'pendingByPatient' | 'pendingRows' | 'rejected' | 'dismiss' | 'held' | 'resendHeld' | 'discardHeld'>;

/** What the sync engine does: take the next batch, record the answer, resend after a restore. */
export type OutboxSender = Pick<
  Outbox,
  'takeBatch' | 'recordOutcomes' | 'ackedSeq' | 'lastIssuedSeq' | 'settledAbove' | 'requeueLost' | 'pruneApplied' | 'countPending' | 'rejected' | 'pendingRows' | 'holdUnsentOf' | 'held'
>;

/** A push's answer for one batch, as the outbox recorded it. */
export interface RecordedOutcomes {
  /** Entries that left the queue: applied (now, or earlier under the same intent) or refused. */
  progressed: number;
  /** The refused entries (the caller rolls their local rows back in the same transaction). */
  rejected: OutboxRow[];
  /** Seqs under which the server holds another intent: this replica's client id is shared or rewound. */
  reused: number[];
}

/**
 * The outbox of local changes, and the only code that reads or writes its table. Services write
 * through OutboxWriter; the sync engine takes batches and records answers (OutboxSender); screens
 * and the session read through OutboxStatusView.
 *
 * An entry that may have reached the server is never changed again: `takeBatch` marks the entries
 * it hands out as sent (`sentAt`) in the caller's write, committed before the request leaves, and
 * only entries never sent may be folded into, rewritten or discarded. Whatever then happens to the
 * answer (a lost reply, a crash, the engine stopped), a later edit becomes an intent of its own.
 */
export class Outbox {
  /** Appends a mutation with the next contiguous seq; call inside the write that makes the local change. */
  async append<N extends MutationName>(m: EntityManager, entry: NewOutboxEntry<N>): Promise<number> {
    const args = JSON.stringify(entry.args);
    refuseOversized(entry.name, args);
    const seq = (await this.lastIssuedSeq(m)) + 1;
    await m.insert(OutboxEntity, {
      seq,
      name: entry.name,
      argsVersion: argsVersionOf(entry.name),
      args,
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
      sentAt: null,
      enteredFor: entry.enteredFor ?? null,
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
    return row && neverSent(row) && (await madeByCurrentStaff(m, row)) ? (row as OutboxRow & { name: N }) : null;
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
    return row && neverSent(row) && keysOf(row).includes(key) && (await madeByCurrentStaff(m, row)) ? row : null;
  }

  /** Replaces a foldable entry's args (and what it is about), keeping its seq; refuses an entry that was sent. */
  async rewrite<N extends MutationName>(
    m: EntityManager,
    seq: number,
    args: MutationArgs[N],
    also: { description?: string; invitationId?: string | null } = {},
  ): Promise<void> {
    const json = JSON.stringify(args);
    const row = await m.findOneBy(OutboxEntity, { seq });
    refuseOversized(row?.name ?? '', json);
    await requireUnsent(m.update(OutboxEntity, { seq, status: 'pending', sentAt: IsNull() }, { args: json, ...also }));
  }

  /**
   * Drops an entry that was never sent and now changes nothing (an edit put back as it was). Its
   * seq stays a gap the next push passes with prevSeq, as after pruning.
   */
  async discardUnsent(m: EntityManager, seq: number): Promise<void> {
    await requireUnsent(m.delete(OutboxEntity, { seq, status: 'pending', sentAt: IsNull() }));
  }

  /** How many `name` entries this person made about this patient in [from, to] (e.g. record views, throttled). */
  countRecent(m: EntityManager, name: MutationName, patientId: string, staffUserId: string, from: Date, to: Date): Promise<number> {
    return m.countBy(OutboxEntity, { name, patientId, staffUserId, createdAt: Between(from.toISOString(), to.toISOString()) });
  }

  /**
   * The next pending entries in seq order, all made by one staff member (a push carries that
   * person's device token, so the server attributes them rightly): at most `limit` entries and at
   * most `maxBytes` of push body (an entry larger than that goes alone; services refuse entries
   * that could never fit, see MAX_ENTRY_BYTES). Call inside a write: they are marked sent there.
   */
  async takeBatch(m: EntityManager, limit: number, maxBytes: number, now: Date): Promise<Mutation[]> {
    const pending = await m.find(OutboxEntity, { where: { status: 'pending' }, order: { seq: 'ASC' }, take: limit });
    const rows: OutboxRow[] = [];
    let bytes = 0;
    for (const row of pending) {
      bytes += entryBytes(row);
      if (row.staffUserId !== pending[0]?.staffUserId || (rows.length > 0 && bytes > maxBytes)) {
        break;
      }
      rows.push(row);
    }
    const unsent = rows.filter((r) => r.sentAt === null).map((r) => r.seq);
    if (unsent.length > 0) {
      await m.update(OutboxEntity, { seq: In(unsent) }, { sentAt: now.toISOString() });
    }
    return rows.map(toMutation);
  }

  /**
   * Records the server's answer to a batch: applied entries (now, or earlier under the same intent)
   * and refused ones leave the queue; `seq_reused` ones stay pending, to go under a new client id.
   */
  async recordOutcomes(m: EntityManager, clientId: string, mutations: Mutation[], response: PushResponse, now: Date): Promise<RecordedOutcomes> {
    const outcomes = new Map(response.outcomes.map((o) => [o.seq, o]));
    const at = now.toISOString();
    const rejectedSeqs: number[] = [];
    const reused: number[] = [];
    let progressed = 0;
    for (const mutation of mutations) {
      const outcome = outcomes.get(mutation.seq);
      if (outcome?.status === 'seq_reused') {
        reused.push(mutation.seq);
      } else if (outcome?.status === 'rejected' && outcome.error?.code === 'not_applied') {
        // Sent before by an author gone from here, never applied: held for someone to send again.
        await m.update(OutboxEntity, { seq: mutation.seq, status: 'pending' }, { status: 'held' });
        progressed += 1;
      } else if (outcome?.status === 'rejected') {
        const error = outcome.error?.message ?? 'The server refused this change.';
        await m.update(OutboxEntity, { seq: mutation.seq, status: 'pending' }, { status: 'rejected', error, errorCode: outcome.error?.code ?? null, resolvedAt: at });
        rejectedSeqs.push(mutation.seq);
        progressed += 1;
      } else if (outcome || (reused.length === 0 && mutation.seq <= response.lastSeq)) {
        // Applied now, or earlier (a push whose answer was lost): either way the server has it.
        await m.update(OutboxEntity, { seq: mutation.seq, status: 'pending' }, { status: 'applied', resolvedAt: at });
        progressed += 1;
      }
    }
    if (reused.length === 0) {
      await this.noteAcked(m, clientId, response.lastSeq);
    }
    return { progressed, rejected: await this.get(m, rejectedSeqs), reused };
  }

  countPending(m: EntityManager): Promise<number> {
    return m.countBy(OutboxEntity, { status: 'pending' });
  }

  /** The highest seq this replica ever handed out (the server can never know a higher one of ours). */
  async lastIssuedSeq(m: EntityManager): Promise<number> {
    const max = await m.createQueryBuilder(OutboxEntity, 'o').select('MAX(o.seq)', 'max').getRawOne<{ max: number | null }>();
    return Math.max((await getState(m, 'lastOutboxSeq')) ?? 0, max?.max ?? 0);
  }

  /** How many of this staff member's changes wait to be sent. */
  pendingBy(m: EntityManager, staffUserId: string): Promise<number> {
    return m.countBy(OutboxEntity, { status: 'pending', staffUserId });
  }

  /** A listed refusal turns 'dismissed' (kept for troubleshooting, no longer shown); false when none was listed. */
  async dismiss(m: EntityManager, seq: number): Promise<boolean> {
    const result = await m.update(OutboxEntity, { seq, status: 'rejected' }, { status: 'dismissed' });
    return (result.affected ?? 0) > 0;
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
    // Held changes still show on their rows: they are not lost, only waiting for someone to act.
    const rows = await m.find(OutboxEntity, { where: { status: In(['pending', 'held']) }, select: { seq: true, name: true, patientId: true, invitationId: true, rowKeys: true } });
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

  /** Refused changes still listed, newest first (what staff should do is the UI's to say). */
  async rejected(m: EntityManager, limit = 20): Promise<RejectedChange[]> {
    const rows = await m.find(OutboxEntity, { where: { status: 'rejected' }, order: { seq: 'DESC' }, take: limit });
    return rows.map((r) => ({
      seq: r.seq,
      description: r.description,
      reason: r.error ?? 'The server refused this change.',
      at: r.resolvedAt ?? r.createdAt,
      kind: r.errorCode === 'conflict' ? ('conflict' as const) : ('refused' as const),
    }));
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
    // The resent intents will be applied again under the same row versions and may land on the
    // same change-log seqs with the same fingerprints, while what the server stamps (times, expiry
    // dates) differs: the cursor cannot tell, so the next pull starts afresh.
    await distrustCursor(m);
  }

  /**
   * Accepted entries (kept to resend after a server restore) and dismissed refusals (kept for
   * troubleshooting) are dropped after a while; the seq counter lives in sync_state. Refusals
   * still listed stay until staff dismiss them.
   */
  async pruneApplied(m: EntityManager, olderThan: Date): Promise<void> {
    await m.delete(OutboxEntity, { status: In(['applied', 'dismissed', 'resent', 'discarded']), resolvedAt: LessThan(olderThan.toISOString()) });
  }

  /**
   * This author can no longer push from here: their entries never sent leave the queue as held, so
   * nobody else's wait behind them. Entries already sent stay pending: the server may hold them,
   * so they go under the signed-in person's token, entered for their author (see transfer.ts).
   */
  async holdUnsentOf(m: EntityManager, staffUserId: string): Promise<number> {
    const result = await m.update(OutboxEntity, { status: 'pending', staffUserId, sentAt: IsNull() }, { status: 'held' });
    return result.affected ?? 0;
  }

  /** Held changes, oldest first. */
  held(m: EntityManager): Promise<OutboxRow[]> {
    return m.find(OutboxEntity, { where: { status: 'held' }, order: { seq: 'ASC' } });
  }

  /**
   * Queues a held change again as a new entry by `by` — entered for its author, unless `by` is the
   * author (signed in here again). The held entry turns 'resent'. Null when no such held change.
   */
  async resendHeld(m: EntityManager, seq: number, by: string, now: Date): Promise<OutboxRow | null> {
    const row = await m.findOneBy(OutboxEntity, { seq, status: 'held' });
    if (!row) {
      return null;
    }
    await this.append(m, {
      name: row.name,
      args: JSON.parse(row.args) as MutationArgs[MutationName],
      staffUserId: by,
      description: row.description,
      patientId: row.patientId,
      invitationId: row.invitationId,
      rows: keysOf(row) as RowKey[],
      now,
      enteredFor: by === row.staffUserId ? null : (row.enteredFor ?? row.staffUserId),
    });
    await m.update(OutboxEntity, { seq }, { status: 'resent', resolvedAt: now.toISOString() });
    return row;
  }

  /** The author signed in here again: their held changes go again, in their own name and order. */
  async resendHeldOf(m: EntityManager, staffUserId: string, now: Date): Promise<number> {
    const rows = await m.find(OutboxEntity, { where: { status: 'held', staffUserId }, order: { seq: 'ASC' } });
    for (const row of rows) {
      await this.resendHeld(m, row.seq, staffUserId, now);
    }
    return rows.length;
  }

  /** An admin drops a held change for good: it turns 'discarded' (kept for troubleshooting); returns it, or null. */
  async discardHeld(m: EntityManager, seq: number, now: Date): Promise<OutboxRow | null> {
    const row = await m.findOneBy(OutboxEntity, { seq, status: 'held' });
    if (!row) {
      return null;
    }
    await m.update(OutboxEntity, { seq }, { status: 'discarded', resolvedAt: now.toISOString() });
    return row;
  }

  /** Signed in to another clinic: nothing here belongs to its server (see Session.remember). */
  async clearForOtherClinic(m: EntityManager): Promise<void> {
    await m.clear(OutboxEntity);
  }
}

/** The one outbox of this process's replica (it keeps no state of its own: everything is in the table). */
export const outbox = new Outbox();

function neverSent(row: OutboxRow): boolean {
  return row.sentAt === null;
}

/** A write meant for an unsent entry that matched none is a bug in the caller, never a silent no-op. */
async function requireUnsent(result: Promise<{ affected?: number | null }>): Promise<void> {
  if (((await result).affected ?? 0) === 0) {
    throw new Error('outbox: that entry was sent already and may not be changed');
  }
}

/**
 * The most a push body may carry, under the server's JSON body limit (256 kB, see
 * portal-server/server/app.ts) with room for the envelope: batches are cut by bytes as well as count.
 */
export const MAX_PUSH_BYTES = 200_000;

/** The most one intent may weigh: services refuse a bigger one before it is queued (it could never be sent). */
export const MAX_ENTRY_BYTES = 150_000;

/** An intent no push could carry is refused here, before anything is written, rather than blocking the queue. */
function refuseOversized(name: string, args: string): void {
  if (entryBytes({ name, args }) > MAX_ENTRY_BYTES) {
    throw new DomainError('payload_too_large', 'This change is too large to send to the clinic server. Shorten it (for example split a long message in two) and try again.');
  }
}

/** What an entry weighs in a push body: its arguments plus the envelope (seq, name, dates, ids). */
export function entryBytes(row: { args: string; name: string }): number {
  return Buffer.byteLength(row.args) + Buffer.byteLength(row.name) + ENVELOPE_BYTES;
}
const ENVELOPE_BYTES = 200;

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
    ...(row.enteredFor ? { enteredFor: row.enteredFor } : {}),
  };
}
