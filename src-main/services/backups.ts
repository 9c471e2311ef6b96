import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../shared/api/errors';
import type { BackupRecordView, BackupStatusView } from '../../shared/ipc/contract';
import type { Session } from '../session/session';
import { requireAdmin } from './onlineCall';

/**
 * The hosted portal's backups on a desk that keeps the clinic's records (issue 18 item 5): a
 * checked copy every night at `hourOfDay` (local time), one soon after start when the last good
 * one is more than a day old (the computer was off at night), and "Back up now". What a backup is
 * (VACUUM INTO, the check, pruning after `keepDays`) is the portal server's own backup command,
 * handed in by index.ts as `run` (the only console module that may import the server).
 */
export interface HostedBackup {
  folder: string;
  keepDays: number;
  /** Makes and checks one backup; resolves to the file written, rejects with what went wrong. */
  run(now: Date): Promise<{ file: string; sizeBytes: number }>;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface BackupServiceOptions {
  session: Session;
  /** The console's data folder: the last result is kept in backups-status.json there. */
  dataDir: string;
  /** Null on a desk that connects to another computer's server. */
  hosted: HostedBackup | null;
  hourOfDay?: number;
  /** How long after start a late backup runs. */
  catchUpDelayMs?: number;
  now?: () => Date;
  timers?: Timers;
  log?: (line: string) => void;
}

const DEFAULT_HOUR = 2;
const DEFAULT_CATCH_UP_MS = 10 * 60_000;
const DAY_MS = 24 * 60 * 60_000;
const BACKUP_FILE = /^portal-.*\.sqlite$/;

/** The next local `hour`:00 strictly after `now`. */
export function nextBackupAt(now: Date, hour: number): Date {
  const next = new Date(now);
  next.setHours(hour, 0, 0, 0);
  if (next.getTime() <= now.getTime()) {
    next.setDate(next.getDate() + 1);
  }
  return next;
}

export class BackupService {
  private readonly statusFile: string;
  private readonly hourOfDay: number;
  private readonly now: () => Date;
  private readonly timers: Timers;
  private timer: unknown = null;
  private nextAt: Date | null = null;
  private running: Promise<BackupRecordView> | null = null;

  constructor(private readonly o: BackupServiceOptions) {
    this.statusFile = join(o.dataDir, 'backups-status.json');
    this.hourOfDay = o.hourOfDay ?? DEFAULT_HOUR;
    this.now = o.now ?? (() => new Date());
    this.timers = o.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) };
  }

  /** Starts the schedule on a hosting desk (nothing on a joining desk). */
  start(): void {
    if (!this.o.hosted || this.nextAt !== null) {
      return;
    }
    const last = this.readLast();
    const lastGood = last?.ok ? Date.parse(last.at) : Number.NaN;
    const late = !(this.now().getTime() - lastGood < DAY_MS);
    if (late) {
      this.schedule(new Date(this.now().getTime() + (this.o.catchUpDelayMs ?? DEFAULT_CATCH_UP_MS)));
    } else {
      this.schedule(nextBackupAt(this.now(), this.hourOfDay));
    }
  }

  stop(): void {
    if (this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
    this.nextAt = null;
  }

  async status(): Promise<BackupStatusView> {
    await requireAdmin(this.o.session, 'Only a clinic administrator can see the backups.');
    return this.view();
  }

  async runNow(): Promise<BackupStatusView> {
    await requireAdmin(this.o.session, 'Only a clinic administrator can start a backup.');
    if (!this.o.hosted) {
      throw new DomainError('conflict', 'This computer does not keep the clinic’s records: the computer that does makes the backups.');
    }
    await this.backUp();
    return this.view();
  }

  /** One backup at a time: a second request waits for the one running. */
  backUp(): Promise<BackupRecordView> {
    if (!this.running) {
      this.running = this.makeOne().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async makeOne(): Promise<BackupRecordView> {
    const hosted = this.o.hosted;
    if (!hosted) {
      throw new Error('not hosting');
    }
    const at = this.now();
    let record: BackupRecordView;
    try {
      mkdirSync(hosted.folder, { recursive: true });
      const { file, sizeBytes } = await hosted.run(at);
      record = { at: at.toISOString(), ok: true, file: file.split(/[\\/]/).pop() ?? file, sizeBytes, error: null };
      this.o.log?.(`backup: wrote ${record.file} (${sizeBytes} bytes)`);
    } catch (err) {
      record = { at: at.toISOString(), ok: false, file: null, sizeBytes: null, error: err instanceof Error ? err.message : String(err) };
      this.o.log?.(`backup: failed: ${record.error}`);
    }
    try {
      this.writeLast(record);
    } catch (err) {
      // A full disk can fail the backup and its record alike: say so in the log, keep the schedule.
      this.o.log?.(`backup: could not record the result: ${err instanceof Error ? err.message : String(err)}`);
    }
    return record;
  }

  private schedule(at: Date): void {
    this.nextAt = at;
    this.timer = this.timers.set(() => {
      this.timer = null;
      void this.backUp()
        .catch((err: unknown) => this.o.log?.(`backup: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          if (this.nextAt !== null) {
            this.schedule(nextBackupAt(this.now(), this.hourOfDay));
          }
        });
    }, Math.max(0, at.getTime() - this.now().getTime()));
  }

  private view(): BackupStatusView {
    const hosted = this.o.hosted;
    return {
      hosting: hosted !== null,
      folder: hosted?.folder ?? null,
      hourOfDay: this.hourOfDay,
      keepDays: hosted?.keepDays ?? 0,
      nextAt: this.nextAt?.toISOString() ?? null,
      last: this.readLast(),
      files: hosted ? this.files(hosted.folder) : [],
      running: this.running !== null,
    };
  }

  private files(folder: string): { name: string; sizeBytes: number }[] {
    if (!existsSync(folder)) {
      return [];
    }
    return readdirSync(folder)
      .filter((name) => BACKUP_FILE.test(name))
      .map((name) => {
        const stat = statSync(join(folder, name));
        return { name, sizeBytes: stat.size, mtime: stat.mtimeMs };
      })
      .sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name))
      .map(({ name, sizeBytes }) => ({ name, sizeBytes }));
  }

  private readLast(): BackupRecordView | null {
    try {
      return JSON.parse(readFileSync(this.statusFile, 'utf8')) as BackupRecordView;
    } catch {
      return null;
    }
  }

  private writeLast(record: BackupRecordView): void {
    const tmp = `${this.statusFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, this.statusFile);
  }
}
