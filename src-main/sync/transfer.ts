/** One push of the outbox and one pull of server changes, each recorded in the replica atomically. */
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../shared/api/errors';
import type { Database } from '../../shared/node/db';
import { SYNCED_TABLES } from '../../shared/sync/protocol';
import type { Mutation, PullResponse, PushRequest, PushResponse } from '../../shared/sync/protocol';
import { OutboxEntity } from '../db/entities';
import { getCursor, setCursor } from '../db/syncState';
import type { FetchLike } from '../services/serverClient';
import { callServer } from '../services/serverClient';
import type { Outbox } from './outbox';
import { applyChanges, clearReplicaForReset, rollBackRejected } from './replicaApply';

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
}

const KEEP_APPLIED_MS = 7 * 24 * 3600_000;

/** Whose device token a push carries (see services/heldTokens.ts). */
export interface PushCredentials {
  tokenFor(staffUserId: string): Promise<{ token: string; held: boolean } | null>;
  /** The server refused a held token (revoked elsewhere): forget it. */
  dropHeld(staffUserId: string): Promise<void>;
}

/**
 * Pushes pending entries in seq order, batch by batch, each batch with its author's token, and
 * records each outcome. Stops at the first change whose author has no usable token on this
 * console (they must sign in here again) and returns that author; null when all was sent.
 */
export async function pushOutbox(
  c: TransferContext,
  clientId: string,
  batchSize: number,
  afterBatch: () => Promise<void>,
  credentials: PushCredentials,
): Promise<{ waitingFor: string } | null> {
  for (;;) {
    const mutations = await c.db.read((m) => c.outbox.takeBatch(m, batchSize));
    const author = mutations[0]?.staffUserId;
    const credential = author === undefined ? null : await credentials.tokenFor(author);
    if (author === undefined || !credential) {
      c.outbox.settled();
      return author === undefined ? null : { waitingFor: author };
    }
    const body: PushRequest = { clientId, mutations };
    let result: { progressed: number; tables: Set<string> };
    try {
      let response: PushResponse;
      try {
        response = await callServer<PushResponse>(c.fetch, c.serverUrl, { method: 'POST', path: '/api/sync/push', body, token: credential.token, sync: true, signal: c.signal, timeoutMs: 60_000 });
      } catch (err) {
        if (credential.held && err instanceof DomainError && err.code === 'not_signed_in') {
          await credentials.dropHeld(author);
          return { waitingFor: author };
        }
        throw err;
      }
      result = await c.db.write((m) => recordOutcomes(c, m, mutations, response));
    } finally {
      // Only now may services fold new edits into entries again: their outcome is recorded.
      c.outbox.settled();
    }
    if (result.tables.size > 0) {
      c.changed(result.tables);
    }
    await afterBatch();
    if (result.progressed === 0) {
      throw new DomainError('internal', 'The clinic server did not accept the waiting changes. The console will try again.');
    }
  }
}

async function recordOutcomes(c: TransferContext, m: EntityManager, mutations: Mutation[], response: PushResponse): Promise<{ progressed: number; tables: Set<string> }> {
  const outcomes = new Map(response.outcomes.map((o) => [o.seq, o]));
  const now = c.now().toISOString();
  let progressed = 0;
  const rejectedSeqs: number[] = [];
  for (const mutation of mutations) {
    const outcome = outcomes.get(mutation.seq);
    if (outcome?.status === 'rejected') {
      const error = outcome.error?.message ?? 'The server refused this change.';
      await m.update(OutboxEntity, { seq: mutation.seq, status: 'pending' }, { status: 'rejected', error, errorCode: outcome.error?.code ?? null, resolvedAt: now });
      rejectedSeqs.push(mutation.seq);
      progressed += 1;
    } else if (outcome || mutation.seq <= response.lastSeq) {
      // Applied now, or earlier (a push whose answer was lost): either way the server has it.
      await m.update(OutboxEntity, { seq: mutation.seq, status: 'pending' }, { status: 'applied', resolvedAt: now });
      progressed += 1;
    }
  }
  const tables = await rollBackRejected(m, c.outbox, await c.outbox.get(m, rejectedSeqs));
  await c.outbox.pruneApplied(m, new Date(c.now().getTime() - KEEP_APPLIED_MS));
  return { progressed, tables };
}

/** Pulls page by page until the server has nothing more; each page and its cursor commit together. */
export async function pullChanges(c: TransferContext, pageSize: number): Promise<void> {
  let resets = 0;
  for (;;) {
    const cursor = await c.db.read(getCursor);
    const query = `epoch=${encodeURIComponent(cursor.epoch)}&seq=${cursor.seq}&limit=${pageSize}`;
    const page = await callServer<PullResponse>(c.fetch, c.serverUrl, { method: 'GET', path: `/api/sync/pull?${query}`, token: c.token, sync: true, signal: c.signal, timeoutMs: 60_000 });
    if (page.reset) {
      resets += 1;
      if (resets > 2) {
        throw new DomainError('internal', 'The clinic server keeps asking for a fresh start. The console will try again later.');
      }
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
    // After a reset, pull again from the new cursor even if the reset page said nothing more.
    if (!page.more && !(page.reset && page.changes.length === 0)) {
      return;
    }
  }
}
