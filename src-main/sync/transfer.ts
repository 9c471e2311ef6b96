/** One push of the outbox and one pull of server changes, each recorded in the replica atomically. */
import { DomainError } from '../../shared/api/errors';
import type { Database } from '../../shared/node/db';
import { SYNCED_TABLES } from '../../shared/sync/protocol';
import type { ClaimClientRequest, Mutation, PullResponse, PushRequest, PushResponse, SyncCursor, SyncPoke } from '../../shared/sync/protocol';
import type { CatchUpProgress } from '../../shared/ipc/contract';
import type { OutboxRow } from '../replica/entities';
import { getCursor, replaceClientId, setCursor } from '../replica/syncState';
import type { FetchLike } from '../net/serverClient';
import { callServer } from '../net/serverClient';
import type { Outbox } from '../replica/outbox';
import { MAX_PUSH_BYTES } from '../replica/outbox';
import { applyChanges, clearReplicaForReset, rollBackRejected } from '../replica/replicaApply';

export interface TransferContext {
  db: Database;
  outbox: Outbox;
  serverUrl: string;
  fetch: FetchLike;
  token: string;
  signal: AbortSignal;
  now(): Date;
  /** Tables whose rows changed, after each committed step. */
  changed(tables: Set<string>): void;
  log?: (line: string) => void;
  /** Before a pull drops the replica for a server whose history changed (see engine.ts). */
  beforeReset?: () => Promise<void>;
}

/**
 * Accepted entries are kept this long (on this console's clock) so that, should the server be
 * restored from a backup older than them, they can be sent again (see requeueLost). A month
 * covers the usual nightly-to-monthly backups; the rows are small intents.
 */
export const KEEP_APPLIED_MS = 30 * 24 * 3600_000;

/** Whose device token a push carries (see services/heldTokens.ts). */
export interface PushCredentials {
  tokenFor(staffUserId: string): Promise<{ token: string; held: boolean } | null>;
  /** The server refused a held token (revoked elsewhere, or bound to another console): forget it. */
  dropHeld(staffUserId: string): Promise<void>;
  /** The held tokens, to move them to a new client id with the console. */
  held(): Promise<{ staffUserId: string; token: string }[]>;
}

/**
 * Binds `token` to `clientId` on the server (POST /api/sync/client): a token may push only under
 * the client ids it is bound to, and a console that takes a new id moves its tokens with it.
 */
async function claimClientId(c: TransferContext, clientId: string, token: string): Promise<void> {
  const body: ClaimClientRequest = { clientId };
  await callServer<void>(c.fetch, c.serverUrl, { method: 'POST', path: '/api/sync/client', body, token, sync: true, signal: c.signal, timeoutMs: 15_000 });
}

const refusedToken = (err: unknown): boolean => err instanceof DomainError && (err.code === 'not_signed_in' || err.code === 'forbidden');

/**
 * After taking a new client id, before anything is pushed under it (while the server still has
 * nothing under it): the current token and each held one claim it. A held token the server will
 * not move is dropped like one it refused; its author's changes wait as held.
 */
async function moveTokens(c: TransferContext, clientId: string, credentials: PushCredentials, claimed: Set<string>): Promise<void> {
  await claimClientId(c, clientId, c.token);
  claimed.add(c.token);
  for (const held of await credentials.held()) {
    try {
      await claimClientId(c, clientId, held.token);
      claimed.add(held.token);
    } catch (err) {
      if (!refusedToken(err)) {
        throw err;
      }
      await credentials.dropHeld(held.staffUserId);
    }
  }
}

/**
 * Pushes pending entries in seq order, batch by batch, each batch with its author's token, and
 * records each outcome. Stops at the first change whose author has no usable token on this
 * console (they must sign in here again) and returns that author; null when all was sent.
 * An empty outbox still asks the server once what it holds when the server has accepted changes
 * from this console before (or with `probe`, before a reset of its history): a server restored
 * from a backup taken before its last accepted push would otherwise never be noticed by a console
 * with nothing waiting. A server that holds less than it had accepted gets the kept entries again
 * (requeueLost).
 */
export async function pushOutbox(
  c: TransferContext,
  clientId: string,
  batchSize: number,
  afterBatch: () => Promise<void>,
  credentials: PushCredentials,
  probe = false,
): Promise<void> {
  let requeued = false;
  let asked = false;
  let replaced = false;
  /** Authors who can no longer push from here (no token, or theirs was refused). */
  const gone = new Set<string>();
  /** Tokens bound to `clientId` by a claim in this call (each is claimed at most once). */
  const claimed = new Set<string>();
  for (;;) {
    // Taken and marked sent in one committed write, before the request leaves (see Outbox).
    const { mutations, acked } = await c.db.write(async (m) => ({ mutations: await c.outbox.takeBatch(m, batchSize, MAX_PUSH_BYTES, c.now()), acked: await c.outbox.ackedSeq(m, clientId) }));
    const author = mutations[0]?.staffUserId;
    const ask = !asked && !requeued && (probe || acked > 0);
    const credential = author === undefined ? (ask ? { token: c.token, held: false } : null) : gone.has(author) ? { token: c.token, held: false } : await credentials.tokenFor(author);
    if (!credential && author !== undefined) {
      // Their changes must not hold anyone else's back: the unsent ones wait as held (shown to
      // staff); the ones already sent go under this token, only to learn whether they were applied.
      gone.add(author);
      const held = await c.db.write((m) => c.outbox.holdUnsentOf(m, author));
      c.log?.(`sync: ${held} change(s) held: their author can no longer push from this console`);
      continue;
    }
    if (!credential) {
      return;
    }
    asked = true;
    const sent = author !== undefined && gone.has(author) ? mutations.map((mu) => ({ ...mu, confirmOnly: true })) : mutations;
    const body: PushRequest = { clientId, mutations: withPrevSeq(sent, acked) };
    let response: PushResponse;
    try {
      response = await callServer<PushResponse>(c.fetch, c.serverUrl, { method: 'POST', path: '/api/sync/push', body, token: credential.token, sync: true, signal: c.signal, timeoutMs: 60_000 });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'forbidden' && !claimed.has(credential.token)) {
        // The token is not bound to this id: signed in before this replica took it (a new id
        // that a crash kept from being claimed, or one made after a reset for another clinic).
        claimed.add(credential.token);
        if (await tryClaim(c, clientId, credential.token)) {
          continue;
        }
      }
      if (credential.held && author !== undefined && refusedToken(err)) {
        await credentials.dropHeld(author);
        continue;
      }
      throw err;
    }
    const result = await c.db.write(async (m) => {
      const recorded = await c.outbox.recordOutcomes(m, clientId, mutations, response, c.now());
      // Another intent under one of our seqs, or the server ahead of every seq this replica issued:
      // this replica was restored from an old copy or cloned. It takes a new client id (below).
      // (Only a lastSeq beyond this batch and what was acknowledged needs the counter read.)
      const beyond = response.lastSeq > Math.max(acked, mutations.at(-1)?.seq ?? 0);
      const rewound = recorded.reused.length > 0 || (beyond && response.lastSeq > (await c.outbox.lastIssuedSeq(m)));
      const tables = await rollBackRejected(m, c.outbox, recorded.rejected);
      await c.outbox.pruneApplied(m, new Date(pruneClock(c.now(), response.serverTime) - KEEP_APPLIED_MS));
      if (rewound && !replaced) {
        clientId = await replaceClientId(m, { at: c.now().toISOString(), waiting: await c.outbox.countPending(m) });
      }
      return { progressed: recorded.progressed, tables, rewound };
    });
    if (result.tables.size > 0) {
      c.changed(result.tables);
    }
    await afterBatch();
    if (result.rewound) {
      if (replaced) {
        throw new DomainError('internal', 'The clinic server holds other changes under this console\'s numbers even after a fresh start. The console will try again.');
      }
      // Waiting entries go again under the new id; the next pull starts afresh and drops ghost rows.
      replaced = true;
      asked = false;
      c.log?.('sync: this replica reused change numbers the server already holds (restored or copied): it now syncs under a new client id');
      claimed.clear();
      await moveTokens(c, clientId, credentials, claimed);
      continue;
    }
    if (result.progressed === 0 && response.lastSeq < acked && !requeued) {
      requeued = true;
      await requeueLost(c, clientId, response.lastSeq, acked, credentials);
    } else if (result.progressed === 0 && mutations.length > 0) {
      throw new DomainError('internal', 'The clinic server did not accept the waiting changes. The console will try again.');
    }
  }
}

/** Claims `clientId` for `token`; false when the server will not bind it (it stays refused). */
async function tryClaim(c: TransferContext, clientId: string, token: string): Promise<boolean> {
  try {
    await claimClientId(c, clientId, token);
    return true;
  } catch (err) {
    if (refusedToken(err)) {
      return false;
    }
    throw err;
  }
}

/**
 * The clock the resend buffer is pruned by: the earlier of the console's and the server's, so a
 * console clock that jumps ahead (or a server clock that does) never drops entries early.
 */
function pruneClock(consoleNow: Date, serverTime: string | undefined): number {
  const server = serverTime === undefined ? Number.NaN : Date.parse(serverTime);
  return Number.isNaN(server) ? consoleNow.getTime() : Math.min(consoleNow.getTime(), server);
}

/** A mutation after a gap of settled seqs says so, so the server can pass the gap (Mutation.prevSeq). */
function withPrevSeq(mutations: Mutation[], acked: number): Mutation[] {
  return mutations.map((mu, i) => {
    const prev = i === 0 ? acked : (mutations[i - 1] as Mutation).seq;
    return prev < mu.seq - 1 ? { ...mu, prevSeq: prev } : mu;
  });
}

/**
 * The server was restored from a backup and lost accepted entries above `serverLast`: the kept
 * ones whose author can still push here are queued again; the others will be skipped and staff told.
 */
async function requeueLost(c: TransferContext, clientId: string, serverLast: number, acked: number, credentials: PushCredentials): Promise<void> {
  const kept = await c.db.read((m) => c.outbox.settledAbove(m, serverLast, acked));
  const resend: OutboxRow[] = [];
  for (const row of kept) {
    if (row.status === 'applied' && (await credentials.tokenFor(row.staffUserId))) {
      resend.push(row);
    }
  }
  c.log?.(`sync: the server holds changes only up to ${serverLast} of ${acked}; sending ${resend.length} again`);
  await c.db.write((m) => c.outbox.requeueLost(m, clientId, serverLast, resend, c.now()));
}

/**
 * Applies the changes a poke carried (SyncPoke.page), page and cursor in one transaction, if this
 * replica's cursor is where they start; returns false (nothing written) when it is not.
 */
export async function applyPoked(c: Pick<TransferContext, 'db' | 'outbox' | 'changed'>, epoch: string, page: NonNullable<SyncPoke['page']>): Promise<boolean> {
  const tables = await c.db.write(async (m) => {
    const cursor = await getCursor(m);
    // A different entry at `from` (a server restored from a backup, same epoch), or no way to tell
    // (a page or a cursor without a fingerprint): pull, which resets when the history changed.
    const otherHistory = cursor.seq > 0 && (cursor.check === undefined || page.fromCheck === undefined || cursor.check !== page.fromCheck);
    if (cursor.epoch !== epoch || cursor.seq !== page.from || otherHistory || page.cursor.epoch !== epoch || page.cursor.seq <= page.from) {
      return null;
    }
    const changed = await applyChanges(m, c.outbox, page.changes);
    await setCursor(m, page.cursor);
    return changed;
  });
  if (tables && tables.size > 0) {
    c.changed(tables);
  }
  return tables !== null;
}

function fetchPage(c: TransferContext, cursor: SyncCursor, pageSize: number): Promise<PullResponse> {
  const query = `epoch=${encodeURIComponent(cursor.epoch)}&seq=${cursor.seq}&limit=${pageSize}${cursor.check ? `&check=${cursor.check}` : ''}`;
  const page = callServer<PullResponse>(c.fetch, c.serverUrl, { method: 'GET', path: `/api/sync/pull?${query}`, token: c.token, sync: true, signal: c.signal, timeoutMs: 60_000 });
  // Fetched ahead while the previous page is written: a failure is seen when the page is awaited.
  page.catch(() => undefined);
  return page;
}

/** Where a catch-up stands after a page: null when the pull is done, or was at most one page behind. */
export type PullProgress = (progress: CatchUpProgress | null) => Promise<void>;

/**
 * Pulls page by page until the server has nothing more; each page and its cursor commit together,
 * in order, while the next page is already on its way. `progress` hears after each page of a
 * pull that is more than a page behind how far it is. Returns the replica's cursor after the pull.
 */
export async function pullChanges(c: TransferContext, pageSize: number, progress: PullProgress = () => Promise.resolve()): Promise<SyncCursor> {
  let resets = 0;
  let cursor = await c.db.read(getCursor);
  let next = fetchPage(c, cursor, pageSize);
  // Where this catch-up began and how many changes the server had then; null until a page says "more".
  let catchUp: { base: number; total: number } | null = null;
  for (;;) {
    const page = await next;
    if (page.reset && c.beforeReset && resets === 0) {
      // The server's history is not what this replica saw: first make sure it has all of ours.
      resets += 1;
      await c.beforeReset();
      cursor = await c.db.read(getCursor);
      next = fetchPage(c, cursor, pageSize);
      continue;
    }
    if (page.reset) {
      resets += 1;
      if (resets > 2) {
        throw new DomainError('internal', 'The clinic server keeps asking for a fresh start. The console will try again later.');
      }
    }
    const from = page.reset ? 0 : cursor.seq;
    // After a reset, pull again from the new cursor even if the reset page said nothing more.
    const more = page.more || (page.reset && page.changes.length === 0);
    if (more) {
      cursor = page.cursor;
      next = fetchPage(c, cursor, pageSize);
    }
    const tables = await c.db.write(async (m) => {
      if (page.reset) {
        // Another server database (restored or replaced): start again, keeping unsent local changes.
        await clearReplicaForReset(m, c.outbox);
      }
      const changed = await applyChanges(m, c.outbox, page.changes);
      await setCursor(m, page.cursor);
      return page.reset ? new Set<string>(SYNCED_TABLES) : changed;
    });
    if (tables.size > 0) {
      c.changed(tables);
    }
    if (page.more) {
      catchUp = !catchUp || page.reset ? { base: from, total: 0 } : catchUp;
      // The log may grow during a catch-up: the total never falls below what is applied.
      catchUp.total = Math.max(catchUp.total, page.head - catchUp.base);
      await progress({ applied: page.cursor.seq - catchUp.base, total: catchUp.total });
    }
    if (!more) {
      if (catchUp) {
        await progress(null);
      }
      return page.cursor;
    }
  }
}
