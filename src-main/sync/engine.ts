import { DomainError } from '../../shared/api/errors';
import type { SyncStatus } from '../../shared/ipc/contract';
import type { Database } from '../../shared/node/db';
import type { EntityManager } from 'typeorm';
import type { Mutation, PullResponse, PushRequest, PushResponse, SyncPoke } from '../../shared/sync/protocol';
import { OutboxEntity } from '../db/entities';
import { ensureClientId, getCursor, getState, setCursor, setState } from '../db/syncState';
import type { ConsoleEvents } from '../events';
import type { FetchLike } from '../services/serverClient';
import { ServerUnreachableError, callServer, joinUrl, serverHeaders } from '../services/serverClient';
import type { Session } from '../services/session';
import { Backoff } from './backoff';
import type { Outbox } from './outbox';
import { applyChanges, clearReplicaForReset, rollBackRejected } from './replicaApply';
import { readServerSentEvents } from './sse';

export interface SyncEngineOptions {
  db: Database;
  outbox: Outbox;
  session: Session;
  serverUrl: string;
  fetch: FetchLike;
  events: ConsoleEvents;
  now?: () => Date;
  /** Pull on this slow timer even without pokes (ms). */
  safetyIntervalMs?: number;
  /** Wait this long after a local write before pushing, so a burst of edits goes in one push (ms). */
  debounceMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Reconnect the event stream when it has been silent this long (the server sends heartbeats). */
  silenceTimeoutMs?: number;
  pageSize?: number;
  pushBatchSize?: number;
  log?: (line: string) => void;
}

const SIGNED_OUT_MESSAGE = 'This console is no longer signed in (signed out or access revoked). Sign in again to sync.';

/**
 * Keeps the replica in step with the clinic server: pushes the outbox in seq order, pulls changes
 * page by page, listens for pokes, and says at every change whether it is online, how many changes
 * wait, when it last synced, and which changes the server refused.
 */
export class SyncEngine {
  private readonly o: Required<Omit<SyncEngineOptions, 'log'>> & { log: (line: string) => void };
  private readonly backoff: Backoff;
  private readonly streamBackoff: Backoff;
  private running = false;
  private current: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private cycleAbort = new AbortController();
  private streamAbort: AbortController | null = null;
  private stream: Promise<void> | null = null;
  private safetyTimer: NodeJS.Timeout | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private online = false;
  private syncing = false;
  private lastError: string | null = null;
  private lastEmitted = '';

  constructor(options: SyncEngineOptions) {
    this.o = {
      now: () => new Date(),
      safetyIntervalMs: 30_000,
      debounceMs: 300,
      backoffInitialMs: 1000,
      backoffMaxMs: 60_000,
      silenceTimeoutMs: 45_000,
      pageSize: 500,
      pushBatchSize: 100,
      log: (line) => console.warn(line),
      ...options,
    };
    this.backoff = new Backoff(this.o.backoffInitialMs, this.o.backoffMaxMs);
    this.streamBackoff = new Backoff(this.o.backoffInitialMs, this.o.backoffMaxMs);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts listening and syncing; does nothing when already running. */
  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.cycleAbort = new AbortController();
    this.safetyTimer = setInterval(() => void this.trigger(), this.o.safetyIntervalMs);
    this.safetyTimer.unref();
    this.stream = this.listen();
    void this.trigger();
  }

  /** Stops timers and the event stream and waits for a running sync to end. */
  async stop(): Promise<void> {
    if (!this.running) {
      await this.current?.catch(() => undefined);
      return;
    }
    this.running = false;
    for (const timer of [this.safetyTimer, this.debounceTimer, this.retryTimer]) {
      if (timer) {
        clearTimeout(timer);
      }
    }
    this.safetyTimer = this.debounceTimer = this.retryTimer = null;
    this.cycleAbort.abort();
    this.streamAbort?.abort();
    await Promise.allSettled([this.current, this.queued, this.stream]);
    this.stream = null;
    this.online = false;
    await this.publishStatus();
  }

  /** After a sign-in: start afresh with the new token. */
  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  /** Syncs now (after any sync already running) and returns the resulting status. */
  async syncNow(): Promise<SyncStatus> {
    if (this.running) {
      await this.trigger();
      // A poke that arrived meanwhile may have started another round: report the settled state.
      for (let i = 0; i < 5 && this.current; i += 1) {
        await this.current.catch(() => undefined);
      }
    }
    return this.status();
  }

  /** A local write was committed: show the new pending count now, push soon. */
  noteLocalWrite(): void {
    void this.publishStatus();
    if (!this.running) {
      return;
    }
    if (this.debounceTimer) {
      clearTimeout(this.debounceTimer);
    }
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      void this.trigger();
    }, this.o.debounceMs);
    this.debounceTimer.unref();
  }

  async status(): Promise<SyncStatus> {
    const { pending, rejected, lastSyncedAt } = await this.o.db.read(async (m) => ({
      pending: await this.o.outbox.countPending(m),
      rejected: await this.o.outbox.rejected(m),
      lastSyncedAt: await getState(m, 'lastSyncedAt'),
    }));
    return { online: this.online, syncing: this.syncing, pending, lastSyncedAt, lastError: this.lastError, rejected };
  }

  private async publishStatus(): Promise<void> {
    try {
      const status = await this.status();
      const key = JSON.stringify(status);
      if (key !== this.lastEmitted) {
        this.lastEmitted = key;
        this.o.events.emit('sync.status', status);
      }
    } catch (err) {
      this.o.log(`sync: could not read status (${errorName(err)})`);
    }
  }

  /** One sync at a time; a request during a sync runs one more right after it. */
  private trigger(): Promise<void> {
    if (!this.running) {
      return Promise.resolve();
    }
    if (!this.current) {
      this.current = this.cycle().finally(() => {
        this.current = null;
      });
      return this.current;
    }
    this.queued ??= this.current.then(() => {
      this.queued = null;
      return this.trigger();
    });
    return this.queued;
  }

  private async cycle(): Promise<void> {
    const token = await this.o.session.token();
    if (!token || !this.running) {
      return;
    }
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.syncing = true;
    await this.publishStatus();
    const signal = this.cycleAbort.signal;
    try {
      const clientId = await this.o.db.write(ensureClientId);
      await this.push(token, clientId, signal);
      await this.pull(token, signal);
      this.online = true;
      this.lastError = null;
      this.backoff.reset();
      await this.o.db.write((m) => setState(m, 'lastSyncedAt', this.o.now().toISOString()));
    } catch (err) {
      if (!this.running) {
        return;
      }
      await this.handleFailure(err);
    } finally {
      this.syncing = false;
      await this.publishStatus();
    }
  }

  private async handleFailure(err: unknown): Promise<void> {
    if (err instanceof ServerUnreachableError) {
      this.online = false;
      this.scheduleRetry();
      return;
    }
    if (err instanceof DomainError) {
      this.online = true;
      this.lastError = err.code === 'not_signed_in' ? SIGNED_OUT_MESSAGE : err.message;
      if (err.code === 'not_signed_in') {
        await this.o.session.forget();
        void this.stop();
        return;
      }
      if (err.code !== 'protocol_outdated') {
        this.scheduleRetry();
      }
      return;
    }
    this.o.log(`sync: failed (${errorName(err)})`);
    this.lastError = 'Syncing failed on this computer. It will try again.';
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.running || this.retryTimer) {
      return;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.trigger();
    }, this.backoff.next());
    this.retryTimer.unref();
  }

  private async push(token: string, clientId: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      const mutations = await this.o.db.read((m) => this.o.outbox.takeBatch(m, this.o.pushBatchSize));
      if (mutations.length === 0) {
        this.o.outbox.settled();
        return;
      }
      const body: PushRequest = { clientId, mutations };
      let result: { progressed: number; tables: Set<string> };
      try {
        const response = await callServer<PushResponse>(this.o.fetch, this.o.serverUrl, {
          method: 'POST',
          path: '/api/sync/push',
          body,
          token,
          sync: true,
          signal,
          timeoutMs: 60_000,
        });
        result = await this.o.db.write((m) => this.recordOutcomes(m, mutations, response));
      } finally {
        // Only now may services fold new edits into entries again: their outcome is recorded.
        this.o.outbox.settled();
      }
      const { progressed, tables } = result;
      if (tables.size > 0) {
        this.o.events.emit('data.changed', { tables: [...tables] });
      }
      await this.publishStatus();
      if (progressed === 0) {
        throw new DomainError('internal', 'The clinic server did not accept the waiting changes. The console will try again.');
      }
    }
  }

  private async recordOutcomes(m: EntityManager, mutations: Mutation[], response: PushResponse): Promise<{ progressed: number; tables: Set<string> }> {
    const outcomes = new Map(response.outcomes.map((o) => [o.seq, o]));
    const now = this.o.now().toISOString();
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
    const tables = await rollBackRejected(m, this.o.outbox, await this.o.outbox.get(m, rejectedSeqs));
    await this.o.outbox.pruneApplied(m, new Date(this.o.now().getTime() - 7 * 24 * 3600_000));
    return { progressed, tables };
  }

  private async pull(token: string, signal: AbortSignal): Promise<void> {
    let resets = 0;
    for (;;) {
      const cursor = await this.o.db.read(getCursor);
      const query = `epoch=${encodeURIComponent(cursor.epoch)}&seq=${cursor.seq}&limit=${this.o.pageSize}`;
      const page = await callServer<PullResponse>(this.o.fetch, this.o.serverUrl, { method: 'GET', path: `/api/sync/pull?${query}`, token, sync: true, signal, timeoutMs: 60_000 });
      if (page.reset) {
        resets += 1;
        if (resets > 2) {
          throw new DomainError('internal', 'The clinic server keeps asking for a fresh start. The console will try again later.');
        }
      }
      const tables = await this.o.db.write(async (m) => {
        if (page.reset) {
          await clearReplicaForReset(m, this.o.outbox);
        }
        const changed = await applyChanges(m, this.o.outbox, page.changes);
        await setCursor(m, page.cursor);
        return page.reset ? new Set(['patient', 'invitation']) : changed;
      });
      if (tables.size > 0) {
        this.o.events.emit('data.changed', { tables: [...tables] });
      }
      // After a reset, pull again from the new cursor even if the reset page said nothing more.
      if (!page.more && !(page.reset && page.changes.length === 0)) {
        return;
      }
    }
  }

  /** Listens to the server's event stream; a poke or a (re)connection starts a sync. */
  private async listen(): Promise<void> {
    while (this.running) {
      const token = await this.o.session.token();
      if (!token) {
        return;
      }
      const abort = new AbortController();
      this.streamAbort = abort;
      let watchdog: NodeJS.Timeout | null = null;
      const feed = (): void => {
        if (watchdog) {
          clearTimeout(watchdog);
        }
        watchdog = setTimeout(() => abort.abort(), this.o.silenceTimeoutMs);
        watchdog.unref();
      };
      let connected = false;
      try {
        feed();
        const res = await this.o.fetch(joinUrl(this.o.serverUrl, '/api/sync/events'), {
          headers: { ...serverHeaders(token, true, false), accept: 'text/event-stream' },
          signal: abort.signal,
        });
        connected = true;
        if (!res.ok || !res.body) {
          await res.body?.cancel();
          // 401, 426 and the like: the sync cycle reports them; keep retrying slowly.
          void this.trigger();
        } else {
          this.streamBackoff.reset();
          void this.trigger();
          await readServerSentEvents(
            res.body,
            (event) => {
              if (event.event === 'poke') {
                void this.onPoke(event.data);
              }
            },
            feed,
          );
        }
      } catch {
        if (!this.running) {
          return;
        }
        if (!connected && this.online) {
          // The server did not answer at all.
          this.online = false;
          await this.publishStatus();
        }
      } finally {
        if (watchdog) {
          clearTimeout(watchdog);
        }
      }
      await this.sleep(this.streamBackoff.next());
    }
  }

  /** Pulls when the server's change log has grown past this replica's cursor. */
  private async onPoke(data: string): Promise<void> {
    let poke: SyncPoke;
    try {
      poke = JSON.parse(data) as SyncPoke;
    } catch {
      return;
    }
    const cursor = await this.o.db.read(getCursor);
    if (poke.epoch !== cursor.epoch || poke.head > cursor.seq) {
      await this.trigger();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (!this.running) {
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      const signal = this.cycleAbort.signal;
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'unknown error';
}
