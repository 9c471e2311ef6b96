import type { EntityManager } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import { lockKey } from '../../../../shared/node/db';
import { ClientMutationEntity, MutationIntentEntity, MutationRejectionEntity } from '../../../../shared/node/entities/server';
import { MUTATION_NAMES } from '../../../../shared/sync/protocol';
import type { Mutation, MutationOutcome, PullResponse, PushRequest, PushResponse, SyncCursor } from '../../../../shared/sync/protocol';
import type { ServerContext } from '../../context';
import { afterCommit } from '../../context';
import type { StaffPrincipal } from '../staff/service';
import { audit } from '../audit/audit';
import { applyMutation } from './apply';
import { requireBinding } from './binding';
import { readHead } from './changeLog';
import { intentHash } from './intent';
import { readChanges } from './rows';
import { UUID } from '../../../../shared/validation/requests';

export const MAX_PUSH_BATCH = 200;
export const MAX_PULL_PAGE = 1000;
/** Seqs live in `integer` columns: 32 bits on PostgreSQL, and the same bound on SQLite so both behave alike. */
export const MAX_SEQ = 2_147_483_647;


const SEQ_REUSED = new DomainError(
  'conflict',
  'The server already holds a different change from this console under the same number; this console may have been restored from an older copy or copied from another one. Nothing was applied. The console will send its waiting changes again.',
);
const COULD_NOT_APPLY = new DomainError('internal', "The server could not apply this change. Nothing was changed; it has been logged for the clinic's IT.");

const isSeq = (n: unknown, min: number): n is number => Number.isInteger(n) && (n as number) >= min && (n as number) <= MAX_SEQ;

function checkPush(body: unknown): PushRequest {
  const b = body as Partial<PushRequest> | undefined;
  if (!b || typeof b.clientId !== 'string' || !UUID.test(b.clientId) || !Array.isArray(b.mutations)) {
    throw new DomainError('validation_failed', 'A push needs a clientId and a list of mutations.');
  }
  if (b.mutations.length > MAX_PUSH_BATCH) {
    throw new DomainError('payload_too_large', `Send at most ${MAX_PUSH_BATCH} changes at once.`);
  }
  for (const mu of b.mutations as Partial<Mutation>[]) {
    if (!isSeq(mu.seq, 1) || !MUTATION_NAMES.includes(mu.name as Mutation['name']) || (mu.argsVersion !== 1 && mu.argsVersion !== 2) || typeof mu.args !== 'object' || mu.args === null) {
      throw new DomainError('validation_failed', 'A change in this push is malformed.');
    }
    if (mu.prevSeq !== undefined && (!isSeq(mu.prevSeq, 0) || mu.prevSeq >= mu.seq)) {
      throw new DomainError('validation_failed', 'A change in this push names an impossible previous change.');
    }
    if ((mu.enteredFor !== undefined && (typeof mu.enteredFor !== 'string' || !UUID.test(mu.enteredFor))) || (mu.confirmOnly !== undefined && typeof mu.confirmOnly !== 'boolean')) {
      throw new DomainError('validation_failed', 'A change in this push names its author wrongly.');
    }
  }
  return b as PushRequest;
}

async function lastSeqOf(m: EntityManager, clientId: string): Promise<number> {
  return (await m.findOneBy(ClientMutationEntity, { clientId }))?.lastSeq ?? 0;
}

/**
 * The client's last seq, read after taking the client's lock until this transaction ends: a push
 * retried through another instance waits here and then finds the seq settled (PostgreSQL; on
 * SQLite the write lock serialises pushes already). The intent's primary key stays as the backstop.
 */
async function lockedLastSeq(m: EntityManager, clientId: string): Promise<number> {
  await lockKey(m, `sync-client:${clientId}`);
  return lastSeqOf(m, clientId);
}

/**
 * Whether `mu` may be applied now, the client's last seq being `last`: it is the next one, or the
 * console says the seqs in between will never come (`prevSeq`, after a restore from an older
 * backup lost them). The skipped range is then audited and passed, in the caller's transaction.
 */
async function isNext(m: EntityManager, p: StaffPrincipal, clientId: string, mu: Mutation, last: number, now: Date, ip: string | null): Promise<boolean> {
  if (mu.seq === last + 1) {
    return true;
  }
  if (mu.seq <= last || mu.prevSeq === undefined || mu.prevSeq > last) {
    return false;
  }
  await audit(m, p.clinic.id, { kind: 'staff', id: p.staff.id, ip }, 'sync.skipped', { type: 'client', id: clientId }, now, `seqs=${last + 1}-${mu.seq - 1}`);
  await advance(m, p, clientId, mu.seq - 1, now.toISOString());
  return true;
}

async function advance(m: EntityManager, p: StaffPrincipal, clientId: string, seq: number, now: string): Promise<void> {
  await m.upsert(ClientMutationEntity, { clientId, deviceId: p.device.id, lastSeq: seq, updatedAt: now }, ['clientId']);
}

/**
 * Records the intent of a seq being settled now, first thing in its transaction: on PostgreSQL a
 * concurrent push of the same seq waits on this primary key and then fails instead of applying twice.
 */
async function recordIntent(m: EntityManager, clientId: string, mu: Mutation, hash: string, now: string): Promise<void> {
  await m.insert(MutationIntentEntity, { clientId, seq: mu.seq, intentHash: hash, createdAt: now });
}

/** The answer for a seq settled earlier: the same intent gets its first answer again, another one `seq_reused`. */
async function settledOutcome(m: EntityManager, clientId: string, mu: Mutation, hash: string): Promise<MutationOutcome> {
  const intent = await m.findOneBy(MutationIntentEntity, { clientId, seq: mu.seq });
  // No intent row: the seq was settled before intents were kept (or skipped with prevSeq). Nothing
  // better is known than "same intent", so it stays a duplicate as it always was.
  if (intent && intent.intentHash !== hash) {
    return { seq: mu.seq, status: 'seq_reused', error: SEQ_REUSED.toBody() };
  }
  const rejection = await m.findOneBy(MutationRejectionEntity, { clientId, seq: mu.seq });
  return rejection
    ? { seq: mu.seq, status: 'rejected', error: { code: rejection.code as DomainError['code'], message: rejection.message } }
    : { seq: mu.seq, status: 'duplicate' };
}

/**
 * An error that is no DomainError is a server fault, not the change's: it is logged for IT (its
 * type and stack; never the arguments, which hold health data) and the change is refused like any
 * other, so it does not block every change queued behind it.
 */
function unexpected(ctx: ServerContext, clientId: string, mu: Mutation, err: unknown): DomainError {
  ctx.logger.error({ err, mutation: mu.name, seq: mu.seq, clientId }, 'sync.push could not apply a change');
  return COULD_NOT_APPLY;
}

/**
 * Applies each mutation above the client's last applied seq, one transaction each, recording the
 * new seq and the mutation's intent hash in that same transaction: a retried or duplicated push
 * applies nothing twice. A refused mutation — by its service, or by an unexpected error — still
 * advances the seq and is recorded, so it never blocks the queue. A seq settled earlier with
 * another intent answers `seq_reused` and ends the batch: the seqs after it are out of order.
 */
export async function push(ctx: ServerContext, p: StaffPrincipal, body: unknown, ip: string | null): Promise<PushResponse> {
  const req = checkPush(body);
  // Only this console's tokens may push under its id, skip its seqs or use them up.
  await requireBinding(ctx, p, req.clientId);
  const outcomes: MutationOutcome[] = [];
  const sorted = [...req.mutations].sort((a, b) => a.seq - b.seq);
  for (const mu of sorted) {
    const actor = { kind: 'staff' as const, id: p.staff.id, ip };
    const hash = intentHash(mu);
    let outcome: MutationOutcome | 'gap';
    try {
      outcome = await ctx.db.write(async (m) => {
        const last = await lockedLastSeq(m, req.clientId);
        if (mu.seq <= last) {
          return settledOutcome(m, req.clientId, mu, hash);
        }
        if (!(await isNext(m, p, req.clientId, mu, last, ctx.now(), ip))) {
          return 'gap' as const;
        }
        if (mu.confirmOnly) {
          // Asked only whether it had been applied (see Mutation.confirmOnly): it was not, and is not now.
          throw new DomainError('not_applied', 'This change was not applied: its author can no longer send changes from that console.');
        }
        await recordIntent(m, req.clientId, mu, hash, ctx.now().toISOString());
        await applyMutation({ ctx, m, clinic: p.clinic, actor, staff: p.staff, clientId: req.clientId }, mu);
        if (mu.enteredFor !== undefined && mu.enteredFor !== p.staff.id) {
          // Sent by the signed-in person for a colleague who can no longer push from that console:
          // the change is theirs to answer for now, and the log says whose it was.
          await audit(m, p.clinic.id, actor, 'sync.entered_for', { type: 'staff', id: mu.enteredFor }, ctx.now(), `intent=${mu.name} seq=${mu.seq}`);
        }
        await advance(m, p, req.clientId, mu.seq, ctx.now().toISOString());
        return { seq: mu.seq, status: 'applied' as const };
      });
    } catch (err) {
      // The transaction rolled back: nothing of this change was written.
      outcome = await ctx.db.write(async (m) => {
        const last = await lockedLastSeq(m, req.clientId);
        if (mu.seq <= last) {
          // Another push settled this seq meanwhile (its intent key is what failed here).
          return settledOutcome(m, req.clientId, mu, hash);
        }
        if (!(await isNext(m, p, req.clientId, mu, last, ctx.now(), ip))) {
          return 'gap' as const;
        }
        const error = (err instanceof DomainError ? err : unexpected(ctx, req.clientId, mu, err)).toBody();
        const now = ctx.now().toISOString();
        await recordIntent(m, req.clientId, mu, hash, now);
        await m.insert(MutationRejectionEntity, { clientId: req.clientId, seq: mu.seq, code: error.code, message: error.message.slice(0, 300), createdAt: now });
        await advance(m, p, req.clientId, mu.seq, now);
        return { seq: mu.seq, status: 'rejected' as const, error };
      });
    }
    if (outcome === 'gap') {
      break;
    }
    outcomes.push(outcome);
    if (outcome.status === 'seq_reused') {
      ctx.logger.warn({ seq: mu.seq, clientId: req.clientId }, 'sync.push seq_reused');
      break;
    }
  }
  afterCommit(ctx);
  const lastSeq = await ctx.db.read((m) => lastSeqOf(m, req.clientId));
  return { lastSeq, outcomes, serverTime: ctx.now().toISOString() };
}

export function parseCursor(query: Record<string, unknown>): { cursor: SyncCursor; limit: number } {
  const epoch = typeof query.epoch === 'string' ? query.epoch : '';
  const seq = Number(query.seq ?? 0);
  const limit = Math.min(MAX_PULL_PAGE, Math.max(1, Number(query.limit ?? 500) || 500));
  const check = typeof query.check === 'string' && query.check !== '' ? query.check : undefined;
  if (!Number.isInteger(seq) || seq < 0 || epoch.length > 64 || (check !== undefined && !/^[0-9a-f]{1,32}$/.test(check))) {
    throw new DomainError('validation_failed', 'The sync cursor is malformed.');
  }
  return { cursor: { epoch, seq, check }, limit };
}

/**
 * Changes after the cursor, one page; each row appears once, with its current state. A cursor this
 * server cannot have issued in its current history — another epoch, past its head, or (restored
 * from an older backup, same epoch) another change-log entry, or none, at its seq — gets the log
 * from the start and `reset`.
 */
export async function pull(ctx: ServerContext, p: StaffPrincipal, cursor: SyncCursor, limit: number): Promise<PullResponse> {
  return ctx.db.read(async (m) => {
    const { epoch, head } = await readHead(m);
    let reset = (cursor.epoch !== '' && cursor.epoch !== epoch) || cursor.seq > head;
    let read = await readChanges(m, p.clinic.id, reset ? 0 : cursor.seq, limit);
    if (!reset && cursor.check !== undefined && read.fromCheck !== cursor.check) {
      reset = true;
      read = await readChanges(m, p.clinic.id, 0, limit);
    }
    const { changes, last, entries, lastCheck } = read;
    return { changes, cursor: { epoch, seq: last, ...(lastCheck ? { check: lastCheck } : {}) }, more: entries === limit, reset, head };
  });
}
