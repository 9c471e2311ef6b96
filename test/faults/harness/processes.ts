/** Starts the fault tests' child processes (`node --import tsx`) and talks to them over IPC. */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SyncStatus } from '../../../shared/ipc/contract';
import type { OutboxRow } from '../../../src-main/replica/entities';
import type { SyncSnapshot } from '../../fixtures/convergence';
import type { ConsoleFault } from './consoleChild';
import type { Reply } from './ipc';

const HERE = resolve(__dirname);

/** Every child started by this test process and not yet ended: killed when the test file ends, whatever happened. */
const LIVE = new Set<ChildProcess>();
process.on('exit', () => {
  for (const proc of LIVE) {
    proc.kill('SIGKILL');
  }
});

/** Kills every child this test process started that is still running (an afterAll/afterEach safety net: a timed-out test may have lost track of one). */
export async function killAllChildren(): Promise<void> {
  const ending = [...LIVE].map((proc) => new Promise<void>((done) => (proc.exitCode !== null || proc.signalCode !== null ? done() : proc.once('exit', () => done()))));
  for (const proc of LIVE) {
    proc.kill('SIGKILL');
  }
  await Promise.all(ending);
}

/** One child process: commands over IPC, its end (exit code or signal) as a promise. */
export class Child {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What the child wrote to stderr (for failure messages). */
  stderr = '';

  private constructor(readonly proc: ChildProcess) {
    LIVE.add(proc);
    proc.once('exit', () => LIVE.delete(proc));
    proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    proc.on('message', (reply: Reply) => {
      const w = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.ok) {
        w?.resolve(reply.result);
      } else {
        w?.reject(new Error(reply.error));
      }
    });
    this.exited = new Promise((done) => {
      proc.on('exit', (code, signal) => {
        for (const w of this.waiting.values()) {
          w.reject(new Error(`child ended (${signal ?? code}) before answering`));
        }
        this.waiting.clear();
        done({ code, signal });
      });
    });
  }

  /** Starts `script` and waits for its first stdout line (JSON). */
  static async start<T>(script: string, env: Record<string, string>): Promise<{ child: Child; ready: T }> {
    const proc = fork(join(HERE, script), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const child = new Child(proc);
    const ready = await new Promise<T>((done, fail) => {
      let out = '';
      proc.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line) {
          done(JSON.parse(line) as T);
        }
      });
      void child.exited.then(({ code, signal }) => fail(new Error(`${script} ended (${signal ?? code}) before it was ready: ${child.stderr}`)));
    });
    return { child, ready };
  }

  call<T>(cmd: string, args?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((done, fail) => {
      this.waiting.set(id, { resolve: done as (v: unknown) => void, reject: fail });
      this.proc.send({ id, cmd, args });
    });
  }

  /** SIGKILL from outside (a no-op when it already ended). */
  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGKILL');
    }
    await this.exited;
  }
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A portal server child on a data folder; restart() starts a new process on the same folder and port. */
export class ServerProcess {
  child!: Child;
  url = '';
  port = 0;
  mailDir = '';

  constructor(
    readonly dataDir: string,
    private readonly env: Record<string, string> = {},
  ) {}

  async start(): Promise<this> {
    const { child, ready } = await Child.start<{ url: string; port: number; mailDir: string }>('serverChild.ts', { ...this.env, FAULT_DATA_DIR: this.dataDir, FAULT_PORT: String(this.port) });
    Object.assign(this, ready, { child });
    return this;
  }

  async stop(): Promise<void> {
    await this.child.call('stop').catch(() => undefined);
    await this.child.exited;
  }

  async restart(): Promise<void> {
    await this.child.kill();
    await this.start();
  }

  /** A backup as an administrator would take it: the data folder of the stopped server, copied. */
  async backUp(to: string): Promise<void> {
    await this.stop();
    cpSync(this.dataDir, to, { recursive: true });
    await this.start();
  }

  /** Stops the server, puts the backup's files in place of its data folder and starts it again. */
  async restoreFrom(backup: string): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
    cpSync(backup, this.dataDir, { recursive: true });
    await this.start();
  }

  sql<T>(query: string): Promise<T[]> {
    return this.child.call<T[]>('sql', query);
  }
}

/** A console child on a data folder, signed in to a server. */
export class ConsoleProcess {
  child!: Child;

  constructor(
    readonly dataDir: string,
    readonly serverUrl: string,
    readonly env: { clockOffsetMs?: number; sync?: object } = {},
  ) {}

  async start(): Promise<this> {
    const { child } = await Child.start('consoleChild.ts', {
      FAULT_DATA_DIR: this.dataDir,
      FAULT_SERVER_URL: this.serverUrl,
      FAULT_CLOCK_OFFSET_MS: String(this.env.clockOffsetMs ?? 0),
      FAULT_SYNC: JSON.stringify(this.env.sync ?? {}),
    });
    this.child = child;
    return this;
  }

  /** Starts again on the same replica after it was killed. */
  async restart(): Promise<this> {
    await this.child.kill();
    return this.start();
  }

  signIn(username: string, password = 'Staff2Work'): Promise<unknown> {
    return this.child.call('signIn', { username, password });
  }

  preRegister(prefix: string, count: number, invite = true): Promise<string[]> {
    return this.child.call('preRegister', { prefix, count, invite });
  }

  call<T>(service: string, method: string, ...args: unknown[]): Promise<T> {
    return this.child.call<T>('call', { service, method, args });
  }

  arm(fault: ConsoleFault | null): Promise<void> {
    return this.child.call('arm', fault);
  }

  syncNow(): Promise<SyncStatus> {
    return this.child.call<SyncStatus>('syncNow');
  }

  snapshot(): Promise<SyncSnapshot> {
    return this.child.call<SyncSnapshot>('snapshot');
  }

  clientId(): Promise<string> {
    return this.child.call<string>('clientId');
  }

  outbox(): Promise<OutboxRow[]> {
    return this.child.call<OutboxRow[]>('outbox');
  }

  async close(): Promise<void> {
    await this.child.call('close').catch(() => undefined);
    await this.child.exited;
  }
}
