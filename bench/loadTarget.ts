/**
 * One server for bench/load.ts, in its own process (forked by bench/child.ts), on 127.0.0.1:
 *
 * - `ours`: the real portal server (startPortalServer), as a clinic runs it.
 * - `bare`: a bare Express app on the same database doing the same queries for the same five
 *   requests — the session lookup (findSession, with its idle check and throttled touch), the
 *   patient's row, the same service functions, the audit event a record view writes, the message a
 *   send writes — and nothing else: no security headers, body limits, Origin/CSRF checks, rate
 *   limits, request log or error mapping. The ratio ours/bare is what all of that costs.
 *
 * Arguments: mode (ours | bare), data folder, port (0 = any), and an optional DATABASE_URL in the
 * environment. The demo clinic is seeded when the database is empty.
 */
import express from 'express';
import type { Request, Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { EntityManager } from 'typeorm';
import type { Database } from '../shared/node/db';
import { SESSION_COOKIE } from '../shared/api/types';
import { BENCH_LIMITS, quantile } from './loadLine';
import { readConfig, startPortalServer } from '../portal-server/server/index';
import { seedDemo, seedLoadPatients } from '../portal-server/server/demo';
import { asPatient } from '../portal-server/server/features/patient-session/call';
import { readCookie } from '../portal-server/server/features/patient-session/routes';
import { findSession, signIn } from '../portal-server/server/features/patient-session/service';
import { homeSummary } from '../portal-server/server/features/home/service';
import { viewOwnRecord } from '../portal-server/server/features/record/service';
import { listAppointments } from '../portal-server/server/features/appointments/patientService';
import { listThreads, startThreadAsPatient } from '../portal-server/server/features/messages/patientService';

const [mode = 'ours', dataDir = '', portText = '0'] = process.argv.slice(2);

/**
 * What the server itself saw, for the bench's `stats` op: how long each request took from its
 * arrival to its last byte written (no client, no loopback in it), and how late the event loop ran
 * (the process busy or paused, e.g. by garbage collection). Reset by each `stats` call.
 */
function serverStats(db: Database): () => Record<string, number> {
  // Writes: how long each waited for the write lock, and how long it then held it (to its commit).
  let waits: number[] = [];
  let holds: number[] = [];
  const write = db.write.bind(db);
  db.write = <T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> => {
    const queued = performance.now();
    let began = 0;
    const done = () => {
      waits.push(began - queued);
      holds.push(performance.now() - began);
    };
    const run = write(async (manager) => {
      began ||= performance.now();
      return fn(manager);
    });
    run.then(done, done);
    return run;
  };
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let durations: number[] = [];
  const started = new WeakMap<IncomingMessage, number>();
  subscribe('http.server.request.start', (m) => {
    started.set((m as { request: IncomingMessage }).request, performance.now());
  });
  subscribe('http.server.response.finish', (m) => {
    const { request } = m as { request: IncomingMessage; response: ServerResponse };
    const t = started.get(request);
    if (t !== undefined) {
      durations.push(performance.now() - t);
    }
  });
  return () => {
    const q = (x: number) => quantile(durations, x);
    const out = {
      requests: durations.length,
      p50: q(0.5),
      p99: q(0.99),
      max: q(1),
      // How far the SQLite WAL grew (0 on PostgreSQL): the background checkpoint keeps it small.
      walBytes: (() => {
        try {
          return statSync(join(dataDir, 'portal.sqlite-wal')).size;
        } catch {
          return 0;
        }
      })(),
      writes: holds.length,
      writeWaitP50: quantile(waits, 0.5),
      writeWaitP99: quantile(waits, 0.99),
      writeHoldP50: quantile(holds, 0.5),
      writeHoldP99: quantile(holds, 0.99),
      loopP50: loop.percentile(50) / 1e6,
      loopP99: loop.percentile(99) / 1e6,
      loopMax: loop.max / 1e6,
    };
    durations = [];
    waits = [];
    holds = [];
    loop.reset();
    return out;
  };
}


async function main(): Promise<void> {
  const config = readConfig({ ...process.env, ...BENCH_LIMITS, PORT: mode === 'ours' ? portText : '0', DATA_DIR: dataDir });
  const handle = await startPortalServer(config);
  // The first instance seeds: the demo clinic, and BENCH_ACCOUNTS more patients like its two.
  if (await seedDemo(handle.context)) {
    await seedLoadPatients(handle.context, Number(process.env.BENCH_ACCOUNTS ?? 0));
  }
  let url = handle.url;
  let stopBare = async (): Promise<void> => undefined;
  if (mode === 'bare') {
    const ctx = handle.context;
    const app = express();
    app.use(express.json());
    const patient = async (req: Request) => {
      const id = readCookie(req);
      const p = id ? await findSession(ctx, id, { touch: 'throttled' }) : null;
      if (!p) {
        throw new Error('not signed in');
      }
      return p;
    };
    const route = (fn: (req: Request) => Promise<unknown>, status = 200) => async (req: Request, res: Response) => {
      try {
        res.status(status).json(await fn(req));
      } catch {
        res.status(500).json({ error: 'failed' });
      }
    };
    // Sign-in only so the bench can make sessions here as it does on ours (same service).
    app.post('/api/session', async (req, res) => {
      try {
        const { cookie, view } = await signIn(ctx, req.body, req.ip ?? null);
        res.setHeader('set-cookie', `${SESSION_COOKIE}=${cookie}; Path=/; HttpOnly`);
        res.json(view);
      } catch {
        res.status(401).json({ error: 'failed' });
      }
    });
    app.get('/api/home', route(async (req) => asPatient(ctx, await patient(req), req.ip ?? null, 'read', homeSummary)));
    app.post('/api/record/view', route(async (req) => viewOwnRecord(ctx, await patient(req), req.ip ?? null)));
    app.get('/api/appointments', route(async (req) => asPatient(ctx, await patient(req), req.ip ?? null, 'read', listAppointments)));
    app.get('/api/messages', route(async (req) => asPatient(ctx, await patient(req), req.ip ?? null, 'read', listThreads)));
    app.post('/api/messages', route(async (req) => asPatient(ctx, await patient(req), req.ip ?? null, 'write', (c) => startThreadAsPatient(c, req.body)), 201));
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(Number(portText), '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stopBare = () => new Promise((resolve) => server.close(() => resolve()));
  }
  const stats = serverStats(handle.context.db);
  process.on('message', (msg: { id: number; op: string }) => {
    if (msg.op === 'stats') {
      process.send?.({ id: msg.id, result: stats() });
    }
    if (msg.op === 'stop') {
      void stopBare()
        .then(() => handle.close())
        .then(() => process.exit(0));
    }
  });
  process.send?.({ ready: url });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
