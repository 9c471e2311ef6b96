import sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import type { EntityManager, EntitySchema, MigrationInterface } from 'typeorm';

export interface DatabaseOptions {
  /** Path of the SQLite file (created when absent). */
  sqlitePath?: string;
  /** postgres://… — several server instances share one database. */
  databaseUrl?: string;
  entities: EntitySchema[];
  migrations: (new () => MigrationInterface)[];
}

/**
 * TypeORM calls `sqlite3.verbose()`, which wraps every statement call to capture a stack trace for
 * error messages: a large share of each query's cost. Errors still carry SQLite's own message.
 */
const quietSqlite3 = { ...sqlite3, verbose: () => sqlite3 };

/**
 * One database with one write lock. TypeORM 0.3 shares a single connection per SQLite file:
 * two concurrent transactions fail, and a stray write joins an open transaction and is rolled
 * back with it. So every write — and every read that must not see another request's
 * uncommitted rows — goes through `write()` / `read()`, one at a time.
 */
export class Database {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(readonly dataSource: DataSource) {}

  static async open(options: DatabaseOptions): Promise<Database> {
    const common = {
      entities: options.entities,
      migrations: options.migrations,
      migrationsRun: false,
      synchronize: false,
      logging: false as const,
    };
    const dataSource = options.databaseUrl
      ? new DataSource({ type: 'postgres', url: options.databaseUrl, ...common })
      : new DataSource({
          type: 'sqlite',
          database: options.sqlitePath ?? ':memory:',
          enableWAL: true,
          busyTimeout: 5000,
          driver: quietSqlite3,
          ...common,
        });
    await dataSource.initialize();
    if (!options.databaseUrl) {
      await dataSource.query('PRAGMA foreign_keys = ON');
      // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on a power cut, and both
      // sides act on a commit as final — the server answers "applied" (the console then stops
      // keeping its copy) and the console shows staff a change as saved (docs/decisions.md).
      await dataSource.query('PRAGMA synchronous = FULL');
    }
    await dataSource.runMigrations({ transaction: 'each' });
    return new Database(dataSource);
  }

  /** Runs `fn` in a transaction, after every earlier write has finished. */
  write<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.dataSource.transaction(fn));
  }

  /** Runs `fn` outside any open transaction, so it never sees uncommitted rows. */
  read<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => fn(this.dataSource.manager));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
    }
  }
}
