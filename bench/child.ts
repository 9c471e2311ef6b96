/** A benchmark helper process: forked with IPC, answers `{id, op, …}` requests, killed on exit. */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';

const running = new Set<ChildProcess>();
const cleanups: (() => void)[] = [];

/** Runs at exit, also on Ctrl-C: kills helper processes and removes temp folders. */
export function onExit(cleanup: () => void): void {
  cleanups.push(cleanup);
}

function cleanUpAll(): void {
  for (const child of running) {
    child.kill('SIGKILL');
  }
  running.clear();
  for (const cleanup of cleanups.splice(0)) {
    try {
      cleanup();
    } catch {
      // Best effort: the rest still runs.
    }
  }
}
process.on('exit', cleanUpAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanUpAll();
    process.exit(130);
  });
}

export interface Helper {
  url: string;
  pid: number;
  request<T>(op: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

interface Reply {
  id?: number;
  ready?: string;
  result?: unknown;
  error?: string;
}

/** Forks `script` (TypeScript via tsx, or .mjs) and waits for its `{ready: url}`. */
export function startHelper(script: string, args: string[] = []): Promise<Helper> {
  // BENCH_PROF=<dir>: each helper writes a CPU profile there when it exits (to see where time goes).
  const profile = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const child = fork(script, args, { execArgv: [...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const err = new Error(`${script} exited (${code})`);
      reject(err);
      for (const w of waiting.values()) {
        w.reject(err);
      }
    });
    child.on('message', (msg: Reply) => {
      if (msg.ready) {
        resolve({
          url: msg.ready,
          pid: child.pid ?? 0,
          request: <T>(op: Record<string, unknown>) =>
            new Promise<T>((res, rej) => {
              const id = nextId++;
              waiting.set(id, { resolve: res as (v: unknown) => void, reject: rej });
              child.send({ ...op, id });
            }),
          stop: async () => {
            const exited = new Promise((res) => child.once('exit', res));
            child.send({ id: 0, op: 'stop' });
            await Promise.race([exited, new Promise((res) => setTimeout(res, 5000).unref())]);
            child.kill('SIGKILL');
          },
        });
        return;
      }
      const w = waiting.get(msg.id ?? -1);
      waiting.delete(msg.id ?? -1);
      if (msg.error !== undefined) {
        w?.reject(new Error(msg.error));
      } else {
        w?.resolve(msg.result);
      }
    });
  });
}
