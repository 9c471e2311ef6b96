import type { EntityManager } from 'typeorm';
import { DomainError } from '../../shared/api/errors';
import type { HeldChange, SyncStatus } from '../../shared/ipc/contract';
import type { Database } from '../../shared/node/db';
import { PHYSICIAN_MUTATIONS } from '../../shared/sync/protocol';
import type { SyncCursor, SyncPoke } from '../../shared/sync/protocol';
import { ensureClientId, getCursor, getState, setState } from '../replica/syncState';
import type { ConsoleEvents } from '../events';
import type { FetchLike } from '../net/serverClient';
import { ServerUnreachableError, callServer } from '../net/serverClient';
import type { Session } from '../session/session';
import { Backoff } from '../net/backoff';
import { EventStream } from '../net/eventStream';
import type { Outbox, OutboxSender } from '../replica/outbox';
import { staffById } from '../replica/replicaRows';
import { applyPoked, pullChanges, pushOutbox } from './transfer';
import type { TransferContext } from './transfer';
import { isRunningState, nextState } from './engineState';
import type { EngineEvent, EngineState } from './engineState';

export interface SyncEngineOptions {
  db: Database;
  outbox: Outbox;
  session: Session;
  serverUrl: string;
  fetch: FetchLike;
  events: ConsoleEvents;
  now?: () => Date;
  /** Sync on this slow timer even without pokes (ms). */
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
  /** The server refused this console's token (revoked, deactivated): the session was forgotten. */
  onSessionEnded?: () => void;
}

/** How long staff are told about changes a restored server lost and this console could not send again. */
const RESEND_GAP_NOTICE_MS = 14 * 24 * 3600_000;

/** What staff must know after the server or this replica was restored (shown for two weeks). */
async function restoreNote(m: EntityManager, now: Date): Promise<string | null> {
  const recent = (at: string | undefined) => at !== undefined && now.getTime() - Date.parse(at) <= RESEND_GAP_NOTICE_MS;
  const replaced = await getState(m, 'clientIdReplaced');
  if (replaced && recent(replaced.at)) {
    return `This console's data was restored from an older copy or copied from another computer. It now syncs under a new identity: ${replaced.waiting} waiting change(s) were sent again and the clinic's data was downloaded afresh. Check your changes from before ${new Date(replaced.at).toLocaleString()}.`;
  }
  const gap = await getState(m, 'resendGap');
  if (!gap || !recent(gap.at)) {
    return null;
  }
  return `The clinic server was restored from an older backup. ${gap.count} change(s) made on this console up to ${new Date(gap.upTo).toLocaleString()} could not be sent again: please check them and redo what is missing.`;
}

/** Held changes as staff see them: whose they are and who may send them again. */
async function heldChanges(m: EntityManager, outbox: Pick<OutboxSender, 'held'>): Promise<HeldChange[]> {
  const rows = await outbox.held(m);
  const staff = rows.length > 0 ? await staffById(m) : new Map<string, { displayName: string }>();
  return rows.map((r) => ({
    seq: r.seq,
    description: r.description,
    authorName: staff.get(r.staffUserId)?.displayName ?? 'a staff member who was signed in earlier',
    at: r.createdAt,
    resendRole: PHYSICIAN_MUTATIONS.includes(r.name) ? ('physician' as const) : ('anyone' as const),
  }));
}

const SIGNED_OUT_MESSAGE = 'This console is no longer signed in (signed out or access revoked). Sign in again to sync.';

/**
 * Keeps the replica in step with the clinic server: pushes the outbox in seq order, pulls changes
 * page by page, listens for pokes, and says at every change whether it is online, how many changes
 * wait, when it last synced, and which changes the server refused.
 */
export class SyncEngine {
  private readonly o: Required<SyncEngineOptions>;
  private readonly backoff: Backoff;
  private readonly stream: EventStream;
  /** Where the engine is in its lifecycle (see engineState.ts); changed only through `go`. */
  private state: EngineState = 'stopped';
  private current: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private cycleAbort = new AbortController();
  private safetyTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private online = false;
  private lastError: string | null = null;
  private lastEmitted = '';
  /** Set by the pull while it is more than a page behind (see transfer.ts). */
  private catchUp: SyncStatus['catchUp'] = null;
  /**
   * The last sync pushed everything and nothing was written here since: a sync only needs to pull,
   * and the status it starts with is the last one published (see quickCycle).
   */
  private clean = false;
  /** Counts local writes, so a write made while a sync runs keeps the next sync a full one. */
  private localWrites = 0;
  private lastStatus: SyncStatus | null = null;
  /** The replica's cursor after the last pull, so a poke that brings nothing new costs no read. */
  private pulledTo: SyncCursor | null = null;

  constructor(options: SyncEngineOptions) {
    this.o = {
      now: () => new Date(),
      safetyIntervalMs: 30_000,
      debounceMs: 300,
      backoffInitialMs: 1000,
      backoffMaxMs: 60_000,
      silenceTimeoutMs: 45_000,
      pageSize: 1000,
      pushBatchSize: 100,
      log: (line) => console.warn(line),
      onSessionEnded: () => undefined,
      ...options,
    };
    this.backoff = new Backoff(this.o.backoffInitialMs, this.o.backoffMaxMs);
    this.stream = new EventStream({
      serverUrl: this.o.serverUrl,
      fetch: this.o.fetch,
      token: () => this.o.session.token(),
      backoff: new Backoff(this.o.backoffInitialMs, this.o.backoffMaxMs),
      silenceTimeoutMs: this.o.silenceTimeoutMs,
      onConnect: () => void this.trigger(),
      onUnreachable: () => {
        if (this.online) {
          this.online = false;
          void this.publishStatus();
        }
      },
      onPoke: (poke) => void this.onPoke(poke),
    });
  }

  get isRunning(): boolean {
    return isRunningState(this.state);
  }

  private get running(): boolean {
    return isRunningState(this.state);
  }

  private go(event: EngineEvent): void {
    this.state = nextState(this.state, event);
  }

  /** Starts listening and syncing; does nothing when already running or closed. */
  start(): void {
    if (this.running || this.state === 'closed') {
      return;
    }
    this.go('start');
    this.clean = false;
    this.pulledTo = null;
    this.cycleAbort = new AbortController();
    this.safetyTimer = setInterval(() => void this.trigger(), this.o.safetyIntervalMs);
    this.safetyTimer.unref();
    this.stream.start();
    void this.trigger();
  }

  /** Stops timers and the event stream and waits for a running sync to end. */
  async stop(): Promise<void> {
    if (this.running) {
      this.go('stop');
      await this.halt();
    }
    await Promise.allSettled([this.current, this.queued]);
    if (this.state === 'stopping') {
      this.go('stopped');
    }
    await this.publishStatus();
  }

  /** Stops for good: the replica is about to close. */
  async close(): Promise<void> {
    const wasRunning = this.running;
    this.go('close');
    if (wasRunning) {
      await this.halt();
    }
    await Promise.allSettled([this.current, this.queued]);
    await this.publishStatus();
  }

  /** Timers, the event stream and the sync in progress are told to end. */
  private async halt(): Promise<void> {
    clearInterval(this.safetyTimer);
    clearTimeout(this.debounceTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.cycleAbort.abort();
    await this.stream.stop();
    this.online = false;
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
    this.clean = false;
    this.localWrites += 1;
    void this.publishStatus();
    if (!this.running) {
      return;
    }
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => void this.trigger(), this.o.debounceMs);
    this.debounceTimer.unref();
  }

  async status(): Promise<SyncStatus> {
    const { pending, rejected, held, lastSyncedAt } = await this.o.db.read(async (m) => ({
      pending: await this.o.outbox.countPending(m),
      rejected: await this.o.outbox.rejected(m),
      held: await heldChanges(m, this.o.outbox),
      lastSyncedAt: await getState(m, 'lastSyncedAt'),
    }));
    return { online: this.online, syncing: this.state === 'syncing', pending, lastSyncedAt, lastError: this.lastError, rejected, held, catchUp: this.catchUp };
  }

  /** Reads the status now and tells every window, e.g. after a refused change was dismissed. */
  async refreshStatus(): Promise<SyncStatus> {
    const status = await this.status();
    this.emitStatus(status);
    return status;
  }

  private async publishStatus(): Promise<void> {
    try {
      await this.refreshStatus();
    } catch (err) {
      this.o.log(`sync: could not read status (${err instanceof Error ? err.name : 'unknown error'})`);
    }
  }

  private emitStatus(status: SyncStatus): void {
    this.lastStatus = status;
    const key = JSON.stringify(status);
    if (key !== this.lastEmitted) {
      this.lastEmitted = key;
      this.o.events.emit('sync.status', status);
    }
  }

  /** Shows a catch-up's progress after each page it applies (null: done). */
  private async showCatchUp(progress: SyncStatus['catchUp']): Promise<void> {
    this.catchUp = progress;
    await this.publishStatus();
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
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.go('syncBegins');
    const transfer: TransferContext = {
      db: this.o.db,
      outbox: this.o.outbox,
      serverUrl: this.o.serverUrl,
      fetch: this.o.fetch,
      token,
      signal: this.cycleAbort.signal,
      now: this.o.now,
      changed: (tables) => this.o.events.emit('data.changed', { tables: [...tables] }),
      log: this.o.log,
    };
    if (this.clean && this.lastStatus) {
      return this.quickCycle(transfer, token, this.lastStatus);
    }
    await this.publishStatus();
    const writesBefore = this.localWrites;
    try {
      const clientId = await this.o.db.write(ensureClientId);
      const session = this.o.session;
      const credentials = {
        tokenFor: (staffUserId: string) => session.tokenFor(staffUserId),
        dropHeld: (staffUserId: string) => session.dropHeld(staffUserId),
        held: () => session.heldTokens(),
      };
      const push = (probe: boolean) => pushOutbox(transfer, clientId, this.o.pushBatchSize, () => this.publishStatus(), credentials, probe);
      // A server restored from a backup may have lost this console's accepted changes: resend them first.
      transfer.beforeReset = async () => void (await push(true));
      await push(false);
      await this.revokeSettledHeld();
      await this.pull(transfer);
      this.clean = writesBefore === this.localWrites;
      this.online = true;
      this.lastError = await this.o.db.read((m) => restoreNote(m, this.o.now()));
      this.backoff.reset();
      await this.o.db.write((m) => setState(m, 'lastSyncedAt', this.o.now().toISOString()));
    } catch (err) {
      await this.failed(err, token);
    } finally {
      this.endSync();
      await this.publishStatus();
    }
  }

  /** The sync in progress is over: a scheduled retry means it failed. */
  private endSync(): void {
    this.go(this.retryTimer ? 'syncFails' : 'syncEnds');
  }

  private async pull(transfer: TransferContext): Promise<void> {
    this.pulledTo = await pullChanges(transfer, this.o.pageSize, (progress) => this.showCatchUp(progress));
  }

  private async failed(err: unknown, token: string): Promise<void> {
    this.clean = false;
    this.pulledTo = null;
    this.catchUp = null;
    if (this.running) {
      await this.handleFailure(err, token);
    }
  }

  /**
   * A sync when nothing waits to be pushed (usually after a poke): straight to the pull, without
   * the reads and writes a push needs, so another desk's change shows here within milliseconds.
   * A server whose history changed needs the full sync (it may want this console's changes again).
   */
  private async quickCycle(transfer: TransferContext, token: string, last: SyncStatus): Promise<void> {
    this.emitStatus({ ...last, online: this.online, syncing: true, lastError: this.lastError, catchUp: this.catchUp });
    let full = false;
    transfer.beforeReset = () => {
      full = true;
      return Promise.reject(new Error('full sync needed'));
    };
    try {
      await this.pull(transfer);
      this.online = true;
      this.backoff.reset();
      await this.o.db.write((m) => setState(m, 'lastSyncedAt', this.o.now().toISOString()));
    } catch (err) {
      if (!full) {
        await this.failed(err, token);
      }
    } finally {
      this.endSync();
      this.catchUp = null;
      if (full) {
        this.clean = false;
        await this.cycle();
      } else {
        await this.publishStatus();
      }
    }
  }

  /**
   * Changes carried by a poke, applied at once when this replica is exactly where they start and
   * no sync is running (one at a time); otherwise the caller pulls as usual.
   */
  private async applyPoked(epoch: string, page: NonNullable<SyncPoke['page']>): Promise<boolean> {
    if (this.current || !this.clean || this.pulledTo?.epoch !== epoch || this.pulledTo.seq !== page.from) {
      return false;
    }
    const changed = (tables: Set<string>) => this.o.events.emit('data.changed', { tables: [...tables] });
    const applied = applyPoked({ db: this.o.db, outbox: this.o.outbox, changed }, epoch, page).then(
      async (ok) => {
        this.pulledTo = ok ? page.cursor : null;
        if (ok) {
          await this.o.db.write((m) => setState(m, 'lastSyncedAt', this.o.now().toISOString()));
          await this.publishStatus();
        }
        return ok;
      },
      () => {
        this.pulledTo = null;
        return false;
      },
    );
    this.current = applied.then(() => undefined).finally(() => {
      this.current = null;
    });
    return applied;
  }

  /** Earlier staff members' tokens whose changes are all sent now: revoked, best effort. */
  private async revokeSettledHeld(): Promise<void> {
    const tokens = await this.o.session.releaseSettledHeld();
    await Promise.all(
      tokens.map((token) => callServer(this.o.fetch, this.o.serverUrl, { method: 'POST', path: '/api/staff/sign-out', token, timeoutMs: 3000 }).catch(() => undefined)),
    );
  }

  private async handleFailure(err: unknown, token: string): Promise<void> {
    if (err instanceof ServerUnreachableError) {
      this.online = false;
      this.scheduleRetry();
      return;
    }
    if (!(err instanceof DomainError)) {
      this.o.log(`sync: failed (${err instanceof Error ? err.name : 'unknown error'})`);
      this.lastError = 'Syncing failed on this computer. It will try again.';
      this.scheduleRetry();
      return;
    }
    this.online = true;
    this.lastError = err.code === 'not_signed_in' ? SIGNED_OUT_MESSAGE : err.message;
    if (err.code === 'not_signed_in') {
      // The token was revoked (signed out elsewhere, account deactivated) or has expired (the
      // clinic's lifetime or idle limit): back to the sign-in screen with the server's reason,
      // outbox kept — unless someone has signed in since this sync began with the old token.
      if (await this.o.session.forgetIfCurrent(token, err.message)) {
        void this.stop();
        this.o.onSessionEnded();
      } else {
        this.lastError = null;
        this.scheduleRetry();
      }
    } else if (err.code !== 'protocol_outdated') {
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (!this.running || this.retryTimer) {
      return;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.trigger();
    }, this.backoff.next());
    this.retryTimer.unref();
  }

  /** Pulls when the server's change log has grown past this replica's cursor. */
  private async onPoke(poke: SyncPoke): Promise<void> {
    if (!this.running) {
      return;
    }
    try {
      if (poke.page && (await this.applyPoked(poke.epoch, poke.page))) {
        return;
      }
      const cursor = this.pulledTo ?? (await this.o.db.read(getCursor));
      // A head below the cursor means the log was restored or replaced: sync now, not at the safety timer.
      if (poke.epoch !== cursor.epoch || poke.head !== cursor.seq) {
        await this.trigger();
      }
    } catch {
      // Stopped (and the replica closed) while the poke was read: nothing to do.
    }
  }
}
