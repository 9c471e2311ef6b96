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
import { SESSION_COOKIE } from '../shared/api/types';
import { BENCH_LIMITS } from './loadLine';
import { readConfig, startPortalServer } from '../portal-server/server/index';
import { seedDemo, seedLoadPatients } from '../portal-server/server/demo';
import { asPatient } from '../portal-server/server/features/patient-session/call';
import { readCookie } from '../portal-server/server/features/patient-session/routes';
import { findSession, signIn } from '../portal-server/server/features/patient-session/service';
import { homeSummary } from '../portal-server/server/features/home/service';
import { readOwnRecord } from '../portal-server/server/features/record/service';
import { listAppointments } from '../portal-server/server/features/appointments/patientService';
import { listThreads, startThreadAsPatient } from '../portal-server/server/features/messages/patientService';

const [mode = 'ours', dataDir = '', portText = '0'] = process.argv.slice(2);


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
    app.post('/api/record/view', route(async (req) => asPatient(ctx, await patient(req), req.ip ?? null, 'write', readOwnRecord)));
    app.get('/api/appointments', route(async (req) => asPatient(ctx, await patient(req), req.ip ?? null, 'read', listAppointments)));
    app.get('/api/messages', route(async (req) => asPatient(ctx, await patient(req), req.ip ?? null, 'read', listThreads)));
    app.post('/api/messages', route(async (req) => asPatient(ctx, await patient(req), req.ip ?? null, 'write', (c) => startThreadAsPatient(c, req.body)), 201));
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(Number(portText), '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stopBare = () => new Promise((resolve) => server.close(() => resolve()));
  }
  process.on('message', (msg: { id: number; op: string }) => {
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
