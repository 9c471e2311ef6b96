/**
 * A staff console (createConsoleCore, no Electron) in its own process, for fault tests.
 * FAULT_DATA_DIR, FAULT_SERVER_URL, FAULT_CLOCK_OFFSET_MS (this console's clock is off by that
 * much), FAULT_SYNC (JSON SyncEngineOptions). The parent drives it over IPC and arms crash points
 * that live here: in the fetch the console uses, and in its replica's write transactions.
 */
import { request } from 'node:http';
import type { EntityManager } from 'typeorm';
import { createConsoleCore } from '../../../src-main/core';
import type { ConsoleCore } from '../../../src-main/core';
import type { FetchLike } from '../../../src-main/net/serverClient';
import { OutboxEntity } from '../../../src-main/replica/entities';
import { getCursor, getState } from '../../../src-main/replica/syncState';
import { mariaForm } from '../../../src-main/testSupport';
import { replicaSnapshot } from '../../fixtures/convergence';
import { die, serve } from './ipc';

/** Where this process kills itself (once armed). */
export type ConsoleFault =
  | { kind: 'beforePushSent' }
  | { kind: 'midPushRequest' }
  | { kind: 'afterPushReply' }
  | { kind: 'duringPullApply'; page: number }
  | { kind: 'duplicatePush' }
  | { kind: 'refuseEvents' }
  | { kind: 'stallEvents' };

let fault: ConsoleFault | null = null;
/** How many silent event streams were handed out. */
let stalls = 0;
/** Aborts the current event stream's connection, as a cut cable would. */
let cutEvents: (() => void) | null = null;

/** Sends half of a request body and dies: the server sees an aborted upload. */
function dieMidRequest(url: string, init: RequestInit): void {
  const body = String(init.body ?? '');
  const req = request(url, { method: 'POST', headers: { ...(init.headers as Record<string, string>), 'content-length': String(Buffer.byteLength(body)) } });
  req.on('error', () => undefined);
  req.write(body.slice(0, Math.floor(body.length / 2)), () => setTimeout(die, 50));
}

/** An event stream that was accepted and then went silent (a half-open connection): no pokes, no heartbeats. */
function stalledStream(signal: AbortSignal | undefined): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      signal?.addEventListener('abort', () => controller.error(new DOMException('The stream went silent', 'AbortError')));
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

const faultyFetch: FetchLike = async (input, init) => {
  const url = String(input);
  if (url.includes('/api/sync/events')) {
    if (fault?.kind === 'refuseEvents') {
      throw new TypeError('fetch failed');
    }
    if (fault?.kind === 'stallEvents') {
      stalls += 1;
      return stalledStream(init?.signal ?? undefined);
    }
    const abort = new AbortController();
    init?.signal?.addEventListener('abort', () => abort.abort());
    cutEvents = () => abort.abort();
    return fetch(input, { ...init, signal: abort.signal });
  }
  if (!url.includes('/api/sync/push') || !fault) {
    return fetch(input, init);
  }
  switch (fault.kind) {
    case 'beforePushSent':
      return die();
    case 'midPushRequest':
      dieMidRequest(url, init ?? {});
      return new Promise<Response>(() => undefined);
    case 'afterPushReply': {
      const res = await fetch(input, init);
      await res.clone().text();
      return die();
    }
    case 'duplicatePush': {
      // The same batch twice at once (a retry racing the original).
      const [first] = await Promise.all([fetch(input, init), fetch(input, init)]);
      return first;
    }
    case 'duringPullApply':
    case 'refuseEvents':
    case 'stallEvents':
      return fetch(input, init);
  }
};

/** A raw multi-row insert of pulled rows: the replica's bulk page apply. */
function appliesPulledRows(prop: string | symbol, args: unknown[]): boolean {
  return prop === 'query' && /^\s*INSERT INTO "(patient|invitation|replica_row)"/i.test(String(args[0]));
}

/**
 * Dies right after the first pulled rows of the Nth page are written, before that page's
 * transaction (rows and cursor together) commits.
 */
function killDuringPageApply(core: ConsoleCore): void {
  const write = core.db.write.bind(core.db);
  let pages = 0;
  core.db.write = <T>(fn: (m: EntityManager) => Promise<T>): Promise<T> =>
    write((m) => {
      let counted = false;
      return fn(
        new Proxy(m, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver) as unknown;
            if (prop !== 'query' || typeof value !== 'function' || fault?.kind !== 'duringPullApply') {
              return value;
            }
            const page = fault.page;
            return async (...args: unknown[]) => {
              const result = (await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) as unknown;
              if (appliesPulledRows(prop, args) && !counted) {
                counted = true;
                if (++pages === page) {
                  die();
                }
              }
              return result;
            };
          },
        }),
      );
    });
}

async function main(): Promise<void> {
  const offset = Number(process.env.FAULT_CLOCK_OFFSET_MS ?? 0);
  const core = await createConsoleCore({
    dataDir: process.env.FAULT_DATA_DIR ?? '',
    serverUrl: process.env.FAULT_SERVER_URL ?? '',
    fetch: faultyFetch,
    now: () => new Date(Date.now() + offset),
    log: (line) => process.stderr.write(`${line}\n`),
    sync: { debounceMs: 20, backoffInitialMs: 50, backoffMaxMs: 300, silenceTimeoutMs: 2000, ...(JSON.parse(process.env.FAULT_SYNC ?? '{}') as object) },
  });
  killDuringPageApply(core);
  let lastChange = 0;
  core.events.on('data.changed', () => (lastChange += 1));
  serve({
    signIn: (args: { username: string; password: string }) => core.services.auth.signIn(args),
    arm: async (f: ConsoleFault | null) => {
      fault = f;
    },
    /** Pre-registers `count` patients named `prefix` 1..count; returns their ids. */
    preRegister: async (args: { prefix: string; count: number; invite: boolean }) => {
      const ids: string[] = [];
      for (let i = 1; i <= args.count; i += 1) {
        const email = `${args.prefix.toLowerCase()}.${i}@example.com`;
        ids.push((await core.services.patients.preRegister(mariaForm({ givenName: `${args.prefix}${i}`, familyName: 'Fault', email }), args.invite)).patient.id);
      }
      return ids;
    },
    /** Any service call: services[service][method](...args). */
    call: async (args: { service: string; method: string; args: unknown[] }) => {
      const service = (core.services as unknown as Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>)[args.service];
      const method = service?.[args.method];
      if (!service || !method) {
        throw new Error(`no such service call ${args.service}.${args.method}`);
      }
      return method.apply(service, args.args);
    },
    syncNow: () => core.engine.syncNow(),
    startEngine: async () => core.engine.start(),
    stopEngine: () => core.engine.stop(),
    snapshot: () => replicaSnapshot(core.db),
    outbox: () => core.db.read((m) => m.find(OutboxEntity, { order: { seq: 'ASC' } })),
    cursor: () => core.db.read(getCursor),
    clientId: () => core.db.read((m) => getState(m, 'clientId')),
    cutEvents: async () => cutEvents?.(),
    stalls: async () => stalls,
    /** Drops every accepted outbox entry, as the age-based pruning eventually does. */
    pruneApplied: () => core.db.write((m) => core.outbox.pruneApplied(m, new Date(Date.now() + 365 * 86_400_000))),
    /** How many data.changed events so far (a change seen without asking for a sync). */
    changes: async () => lastChange,
    close: async () => {
      await core.close();
      setImmediate(() => process.exit(0));
    },
  });
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`console child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
