import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import type { EntityManager, EntitySchema, MigrationInterface } from 'typeorm';
import { databaseErrorCodes } from './errorCodes';

export interface DatabaseOptions {
  /** Path of the SQLite file (created when absent). */
  sqlitePath?: string;
  /** postgres://… — several server instances share one database. */
  databaseUrl?: string;
  entities: EntitySchema[];
  migrations: (new () => MigrationInterface)[];
  /** PostgreSQL: connections in the pool (default 10). */
  poolSize?: number;
  /**
   * SQLite: read-only connections beside the writer (default 0). In WAL mode readers do not wait
   * for the writer: `read()` runs on one of them, in a read transaction (one snapshot for all its
   * queries), while `write()` keeps the one writing connection and its lock.
   */
  readers?: number;
}

/** A read-only SQLite connection and the queue of reads on it (one connection runs one transaction at a time). */
interface Reader {
  dataSource: DataSource;
  tail: Promise<unknown>;
  /** Reads queued or running on this connection. */
  waiting: number;
}

/**
 * TypeORM calls `sqlite3.verbose()`, which wraps every statement call to capture a stack trace for
 * error messages: a large share of each query's cost. Errors still carry SQLite's own message.
 */
const quietSqlite3 = { ...sqlite3, verbose: () => sqlite3 };

/**
 * A write found that a row it read changed under it (another instance committed first): the
 * whole transaction is run again on fresh rows. Thrown by code that checks a version it read.
 */
export class WriteConflict extends Error {
  constructor(what: string) {
    super(`write conflict: ${what}`);
    this.name = 'WriteConflict';
  }
}

/** PostgreSQL's serialization failure and deadlock: the transaction was rolled back and may simply run again. */
const RETRYABLE_PG_CODES = new Set(['40001', '40P01']);
const MAX_WRITE_ATTEMPTS = 6;

function retryable(err: unknown): boolean {
  if (err instanceof WriteConflict) {
    return true;
  }
  return databaseErrorCodes(err).some((code) => RETRYABLE_PG_CODES.has(code));
}

/** How often the background checkpointer moves the WAL into the SQLite file (see checkpointInBackground). */
const CHECKPOINT_EVERY_MS = 1000;
/** The writer's own checkpoint, should the background one fail (SQLite's default is 1,000; see checkpointInBackground). */
const FALLBACK_AUTOCHECKPOINT_PAGES = 100_000;
/** The WAL file is truncated to this when it starts over (without it, it keeps its largest size). */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** One channel carries every cross-instance event; the payload is `<instance id> <topic>`. */
const EVENT_CHANNEL = 'portal_events';
/** The key every instance's migration run waits on (pg_advisory_lock), so instances may start together. */
const MIGRATION_LOCK = 'portal:migrations';

/** The Database behind each DataSource, so code holding only an EntityManager can reach it. */
const byDataSource = new WeakMap<DataSource, Database>();

/**
 * The database, on one of two engines:
 *
 * - **SQLite** (the default, one server process): TypeORM 0.3 shares a single connection per file,
 *   so two concurrent transactions would interleave on it. Every write — and every read that must
 *   not see another request's uncommitted rows — goes through `write()` / `read()`, one at a time.
 * - **PostgreSQL** (several instances): no process lock, which would protect nothing across
 *   instances. Reads run concurrently on the pool; each write is a transaction that takes the
 *   database locks it needs (`lockKey`, row locks, unique keys) and is run again on a
 *   serialization failure, a deadlock or a `WriteConflict`. Events reach every instance through
 *   LISTEN/NOTIFY (`notify` / `onEvent`).
 */
export class Database {
  private tail: Promise<unknown> = Promise.resolve();
  /** This process's name on the event channel: its own events come back to it and are skipped. */
  readonly instanceId = randomUUID();
  private listener: Client | null = null;
  private readonly handlers = new Set<(topic: string) => void>();
  private listenRetry: NodeJS.Timeout | undefined;
  private closing = false;
  private readers: Reader[] = [];
  private checkpointer: { conn: sqlite3.Database; timer: NodeJS.Timeout | undefined; running: Promise<void> | null } | null = null;

  private constructor(
    readonly dataSource: DataSource,
    private readonly databaseUrl: string | undefined,
  ) {
    byDataSource.set(dataSource, this);
  }

  get engine(): 'sqlite' | 'postgres' {
    return this.databaseUrl ? 'postgres' : 'sqlite';
  }

  static async open(options: DatabaseOptions): Promise<Database> {
    const common = {
      entities: options.entities,
      migrations: options.migrations,
      migrationsRun: false,
      synchronize: false,
      logging: false as const,
    };
    const dataSource = options.databaseUrl
      ? new DataSource({ type: 'postgres', url: options.databaseUrl, poolSize: options.poolSize ?? 10, ...common })
      : new DataSource({
          type: 'sqlite',
          database: options.sqlitePath ?? ':memory:',
          enableWAL: true,
          busyTimeout: 5000,
          driver: quietSqlite3,
          ...common,
        });
    await dataSource.initialize();
    try {
      if (options.databaseUrl) {
        await migrateLocked(dataSource);
      } else {
        await dataSource.query('PRAGMA foreign_keys = ON');
        // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on a power cut, and both
        // sides act on a commit as final — the server answers "applied" (the console then stops
        // keeping its copy) and the console shows staff a change as saved (docs/decisions.md).
        await dataSource.query('PRAGMA synchronous = FULL');
        await dataSource.runMigrations({ transaction: 'each' });
      }
    } catch (err) {
      // A failed start leaves no connection behind (a pool would keep the process alive).
      await dataSource.destroy().catch(() => undefined);
      throw err;
    }
    const db = new Database(dataSource, options.databaseUrl);
    if (!options.databaseUrl && options.sqlitePath && options.sqlitePath !== ':memory:') {
      try {
        for (let i = 0; i < (options.readers ?? 0); i += 1) {
          // The file is in WAL mode already (the writer set it, and it persists): readers only read.
          const reader = new DataSource({ type: 'sqlite', database: options.sqlitePath, flags: sqlite3.OPEN_READONLY, busyTimeout: 5000, driver: quietSqlite3, entities: options.entities, logging: false });
          await reader.initialize();
          byDataSource.set(reader, db);
          db.readers.push({ dataSource: reader, tail: Promise.resolve(), waiting: 0 });
        }
        if (db.readers.length > 0) {
          await db.checkpointInBackground(options.sqlitePath);
        }
      } catch (err) {
        // A failed start leaves no connection behind: every one opened so far is closed.
        await db.close().catch(() => undefined);
        throw err;
      }
    }
    return db;
  }

  /**
   * With readers (the portal server), the writer no longer moves the WAL into the database file
   * itself: SQLite's automatic checkpoint ran inside whichever COMMIT crossed 1,000 pages, holding
   * the write lock — and every write queued behind it — while it copied and synced (in the load
   * bench the write-lock wait p99 fell from 130–180 ms to 33–57 ms without it). A connection of its
   * own checkpoints every second instead (PASSIVE: it does not wait for readers or writers, and
   * writes go on while it copies; a reader starting at that instant may retry briefly). Should it
   * fail, the writer still checkpoints at 100,000 pages (about 400 MB) — not lower: SQLite then
   * checkpoints in every COMMIT until the WAL starts over, which under steady load it rarely does
   * (the bench's WAL reached 67 MB; at 10,000 pages the tail came back). The WAL starts over once a
   * checkpoint caught up and no read is using it, and its file is then cut back to 64 MB. The last
   * connection to close still checkpoints and removes the WAL, as before.
   */
  private async checkpointInBackground(path: string): Promise<void> {
    const conn = await new Promise<sqlite3.Database>((resolve, reject) => {
      const c: sqlite3.Database = new sqlite3.Database(path, sqlite3.OPEN_READWRITE, (err) => (err ? reject(err) : resolve(c)));
    });
    const state: NonNullable<Database['checkpointer']> = { conn, timer: undefined, running: null };
    this.checkpointer = state;
    const pragma = (sql: string) => new Promise<void>((resolve, reject) => conn.get(sql, (err) => (err ? reject(err) : resolve())));
    // The checkpoint syncs the database file before the WAL may start over (FULL is SQLite's
    // default; said here so a build with another default cannot weaken it).
    await pragma('PRAGMA synchronous = FULL');
    await this.dataSource.query(`PRAGMA wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    await this.dataSource.query(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    state.timer = setInterval(() => {
      // A checkpoint still running (a slow disk) is not joined by another. A failed one (busy,
      // disk) is tried again at the next tick, and the writer's fallback bounds the WAL meanwhile.
      state.running ??= new Promise<void>((resolve) => {
        conn.get('PRAGMA wal_checkpoint(PASSIVE)', () => resolve());
      }).finally(() => {
        state.running = null;
      });
    }, CHECKPOINT_EVERY_MS);
    state.timer.unref();
  }

  /**
   * Runs `fn` in a transaction: on SQLite after every earlier write has finished; on PostgreSQL again
   * if it must be. `oneStatement`: `fn` runs a single statement, atomic by itself, so no BEGIN/COMMIT
   * is spent around it (on SQLite it still waits its turn: the writing connection is shared). Never
   * more than one: each would commit on its own (on PostgreSQL perhaps on another pooled
   * connection), and lockKey refuses to run there.
   */
  write<T>(fn: (manager: EntityManager) => Promise<T>, options: { oneStatement?: boolean } = {}): Promise<T> {
    const run = () => (options.oneStatement ? fn(this.dataSource.manager) : this.dataSource.transaction(fn));
    if (this.engine === 'sqlite') {
      return this.exclusive(run);
    }
    return this.withRetry(run);
  }

  /**
   * Runs `fn` outside any open write transaction, so it never sees uncommitted rows. On SQLite with
   * readers, on a read-only connection in a read transaction (it sees what was committed when it
   * began, and never waits for a write); without them, after every earlier write has finished.
   * `fn` must only read: a reader refuses writes (SQLITE_READONLY). `oneStatement`: `fn` runs a
   * single statement, which sees one snapshot by itself, so no BEGIN/COMMIT is spent around it.
   */
  read<T>(fn: (manager: EntityManager) => Promise<T>, options: { oneStatement?: boolean } = {}): Promise<T> {
    if (this.engine === 'sqlite') {
      // The connection with the fewest reads waiting: one slow read (a long list) does not hold up
      // the reads that happen to be dealt to it in turn, as taking turns did.
      const reader = this.readers.reduce<Reader | undefined>((best, r) => (!best || r.waiting < best.waiting ? r : best), undefined);
      if (reader) {
        reader.waiting += 1;
        const done = () => {
          reader.waiting -= 1;
        };
        const go = () => (options.oneStatement ? fn(reader.dataSource.manager) : reader.dataSource.transaction(fn));
        const run = reader.tail.then(go, go);
        run.then(done, done);
        reader.tail = run.catch(() => undefined);
        return run;
      }
      return this.exclusive(() => fn(this.dataSource.manager));
    }
    return fn(this.dataSource.manager);
  }

  private async withRetry<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await run();
      } catch (err) {
        if (attempt >= MAX_WRITE_ATTEMPTS || !retryable(err)) {
          throw err;
        }
        // A short random pause: two transactions that collided do not collide again in step.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Calls `handler` with the topic of every event another instance publishes (`notify`). On SQLite
   * there is one instance and this never fires. The listening connection reconnects by itself.
   */
  onEvent(handler: (topic: string) => void): () => void {
    this.handlers.add(handler);
    if (this.engine === 'postgres' && !this.listener && !this.listenRetry) {
      void this.listen();
    }
    return () => this.handlers.delete(handler);
  }

  /** Whether the event listener is connected (PostgreSQL); tests wait on it. */
  get listening(): boolean {
    return this.listener !== null;
  }

  private async listen(): Promise<void> {
    // keepAlive: a half-open socket (a NAT or firewall timing out an idle connection) is noticed.
    const client = new Client({ connectionString: this.databaseUrl, keepAlive: true, keepAliveInitialDelayMillis: 30_000 });
    const retry = () => {
      this.listener = null;
      client.removeAllListeners();
      void client.end().catch(() => undefined);
      if (!this.closing && !this.listenRetry) {
        this.listenRetry = setTimeout(() => {
          this.listenRetry = undefined;
          void this.listen();
        }, 1000);
        this.listenRetry.unref();
      }
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (msg) => {
      const payload = msg.payload ?? '';
      const space = payload.indexOf(' ');
      if (space > 0 && payload.slice(0, space) !== this.instanceId) {
        for (const handler of this.handlers) {
          handler(payload.slice(space + 1));
        }
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENT_CHANNEL}`);
      if (this.closing) {
        await client.end();
        return;
      }
      this.listener = client;
      // Anything published while no listener was connected is unknown: say so as one event.
      for (const handler of this.handlers) {
        handler('*');
      }
    } catch {
      retry();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.listenRetry);
    const listener = this.listener;
    this.listener = null;
    if (listener) {
      listener.removeAllListeners();
      listener.on('error', () => undefined);
      await listener.end().catch(() => undefined);
    }
    await this.tail.catch(() => undefined);
    const checkpointer = this.checkpointer;
    this.checkpointer = null;
    if (checkpointer) {
      clearInterval(checkpointer.timer);
      await checkpointer.running;
      await new Promise<void>((resolve) => checkpointer.conn.close(() => resolve()));
    }
    for (const reader of this.readers.splice(0)) {
      await reader.tail.catch(() => undefined);
      await reader.dataSource.destroy().catch(() => undefined);
    }
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
    }
  }
}

function databaseOf(m: EntityManager): Database {
  const db = byDataSource.get(m.connection);
  if (!db) {
    throw new Error('This EntityManager does not belong to a Database opened here.');
  }
  return db;
}

/**
 * Takes a lock named `key` until the end of the current transaction (PostgreSQL:
 * pg_advisory_xact_lock), so instances serialise what a unique key cannot express — one physician's
 * bookings, one console's seqs. On SQLite the write lock already serialises every write.
 */
export async function lockKey(m: EntityManager, key: string): Promise<void> {
  // Outside a transaction (a `oneStatement` write) the lock would end with its own statement.
  if (!m.queryRunner?.isTransactionActive) {
    throw new Error('lockKey needs a transaction: it holds until the transaction ends.');
  }
  if (databaseOf(m).engine === 'postgres') {
    await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
  }
}

/**
 * Publishes `topic` to every other instance when the current transaction commits (pg_notify is
 * transactional: a rolled-back write announces nothing; the same topic twice in one transaction is
 * delivered once). No-op on SQLite.
 */
export async function notify(m: EntityManager, topic: string): Promise<void> {
  const db = databaseOf(m);
  if (db.engine === 'postgres') {
    await m.query('SELECT pg_notify($1, $2)', [EVENT_CHANNEL, `${db.instanceId} ${topic}`]);
  }
}

/**
 * Runs the migrations while holding a session lock, on a connection of its own: instances started
 * together take turns, and the second finds nothing left to do.
 */
async function migrateLocked(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [MIGRATION_LOCK]);
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
