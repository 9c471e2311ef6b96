/**
 * `npm run bench:load` — the portal under patient load, on 127.0.0.1 only, bounded in time, not
 * part of `npm test` (issue 18 item 8).
 *
 * Targets, each measured against a bare Express app doing the same queries in the same run
 * (bench/loadTarget.ts says what "bare" leaves out):
 *   sqlite — one instance on SQLite;
 *   pg     — one instance on PostgreSQL (BENCH_POSTGRES_URL or PORTAL_TEST_POSTGRES_URL: an admin
 *            URL; the bench makes and drops its own databases), skipped without one;
 *   two    — two instances on PostgreSQL behind a real nginx, skipped without PostgreSQL or nginx.
 *
 * Traffic: the demo clinic and BENCH_ACCOUNTS more patients seeded like James and Ana (records, a
 * past visit, an appointment; default: enough for every simulated patient to be a patient of its
 * own), each simulated patient a session of its own: GET /api/home, POST /api/record/view
 * (audited), GET /api/appointments, GET /api/messages, POST /api/messages (a new thread) in turn.
 * The per-route p50/p99 of the 200-patient run are printed too.
 *   (a) saturation: BENCH_CONNECTIONS (20) connections for BENCH_SECONDS (15) per side, in
 *       BENCH_ROUNDS (3) windows, ours and bare running side by side and taking turns — requests/s;
 *   (b) BENCH_PATIENTS (200) patients, each one request every 1–2 s for BENCH_PATIENT_SECONDS (20)
 *       — p50/p99 latency and errors (target: p99 under 100 ms, no errors).
 * Sign-ins happen during set-up and their rate is reported apart (argon2id is slow by design).
 * Load from one address: the bench sets PATIENT_WRITES_PER_HOUR=0 and TRUST_PROXY=loopback with a
 * distinct X-Forwarded-For per simulated patient (so per-address limits apply per patient), and
 * prints them. Last line:
 *   load-bench: sqlite_rps=<n> pg_rps=<n> two_rps=<n> ratio_vs_bare=<x> p99_ms=<n> errors=<n>
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { DEMO, loadPatientUsername } from '../portal-server/server/demo';
import { SESSION_COOKIE } from '../shared/api/types';
import { freePort, hasNginx, startNginx } from '../test/fixtures/nginx';
import type { Helper } from './child';
import { onExit, startHelper } from './child';
import { BENCH_LIMITS, formatLoadLine, quantile } from './loadLine';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
/** Saturation windows per side; BENCH_SECONDS is split among them. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const WINDOW_SECONDS = Math.max(1, Math.round(SECONDS / ROUNDS));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 200);
/**
 * Patients seeded beside the demo's two, so each simulated patient is a patient of its own, and the
 * 200 patients are not the saturation's 20 (set in the servers' environment): those 20 accounts
 * get thousands of new threads within seconds, which no real patient's message list looks like.
 */
const ACCOUNTS = Number((process.env.BENCH_ACCOUNTS ??= String(PATIENTS + CONNECTIONS - DEMO.registered.length)));
const PATIENT_SECONDS = Number(process.env.BENCH_PATIENT_SECONDS ?? 20);
const PG_ADMIN = process.env.BENCH_POSTGRES_URL ?? process.env.PORTAL_TEST_POSTGRES_URL;

interface Session {
  cookie: string;
  csrf: string;
  ip: string;
}

interface Target {
  url: string;
  /** What each instance saw since the last call (bench/loadTarget.ts serverStats). */
  stats(): Promise<ServerStats[]>;
  stop(): Promise<void>;
}

interface ServerStats {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  loopP50: number;
  loopP99: number;
  loopMax: number;
  walBytes: number;
  writes: number;
  writeWaitP50: number;
  writeWaitP99: number;
  writeHoldP50: number;
  writeHoldP99: number;
}

async function startTarget(mode: 'ours' | 'bare', o: { instances: number; databaseUrl?: string; dataDir: string }): Promise<Target> {
  const nginxPort = o.instances > 1 ? await freePort() : 0;
  // Instances behind one load balancer share the database and the SECRET (docs/deploy.md): with a
  // secret each, a session made on one is unknown to the other.
  const shared = nginxPort ? { PUBLIC_URL: `http://127.0.0.1:${nginxPort}`, SECRET: randomUUID() + randomUUID() } : {};
  const env = { ...process.env, ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}), ...shared };
  const helpers: Helper[] = [];
  for (let i = 0; i < o.instances; i += 1) {
    // One after the other: the first seeds the demo clinic, the others find it.
    helpers.push(await withEnv(env, () => startHelper('bench/loadTarget.ts', [mode, join(o.dataDir, `instance-${i}`), '0'])));
  }
  const stopAll = async () => {
    await Promise.all(helpers.map((h) => h.stop()));
  };
  const stats = () => Promise.all(helpers.map((h) => h.request<ServerStats>({ op: 'stats' })));
  if (o.instances === 1) {
    return { url: helpers[0]?.url ?? '', stats, stop: stopAll };
  }
  const nginx = await startNginx(
    helpers.map((h) => Number(new URL(h.url).port)),
    nginxPort,
  );
  return {
    url: nginx.url,
    stats,
    stop: async () => {
      await nginx.stop();
      await stopAll();
    },
  };
}

/** startHelper forks with process.env: set it for the fork only. */
async function withEnv<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env)) {
      if (!(key in saved)) {
        delete process.env[key];
      }
    }
    Object.assign(process.env, saved);
  }
}

/**
 * Signs in `count` simulated patients, alternating the demo's registered ones. One account signs in
 * one try at a time: a sign-in counts as a failure until it succeeds (so parallel guesses cannot
 * outrun the lock), and parallel sign-ins of one account would lock it like a guessing attack.
 */
async function signInPatients(url: string, count: number): Promise<{ sessions: Session[]; perSecond: number }> {
  const sessions: Session[] = [];
  const started = performance.now();
  const accounts = [...DEMO.registered.map((p) => p.username), ...Array.from({ length: ACCOUNTS }, (_, i) => loadPatientUsername(i))];
  const password = DEMO.registered[0]?.password;
  const worker = async (account: number) => {
    for (let i = account; i < count; i += accounts.length) {
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const res = await fetch(`${url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url, 'x-forwarded-for': ip },
        body: JSON.stringify({ username: accounts[account], password }),
      });
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const text = await res.text();
      const body = (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as { csrfToken?: string }) : {};
      if (res.status !== 200 || !cookie.startsWith(`${SESSION_COOKIE}=`) || !body.csrfToken) {
        throw new Error(`Sign-in ${i} failed: ${res.status} ${text.slice(0, 200)}`);
      }
      sessions.push({ cookie, csrf: body.csrfToken, ip });
    }
  };
  await Promise.all(Array.from({ length: Math.min(accounts.length, count) }, (_, account) => worker(account)));
  return { sessions, perSecond: count / ((performance.now() - started) / 1000) };
}

const MIX = ['GET /api/home', 'POST /api/record/view', 'GET /api/appointments', 'GET /api/messages', 'POST /api/messages'] as const;
const newThread = () => JSON.stringify({ subject: 'Bench question', body: `A question from the load bench (${randomUUID()}).` });

/** (a) Saturation: every connection a session of its own, cycling through the mix. */
async function saturation(url: string, sessions: Session[], seconds: number): Promise<{ requests: number; p99: number; errors: number }> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: MIX.map((line) => {
      const [method, path] = line.split(' ') as [string, string];
      return {
        method: method as 'GET' | 'POST',
        path,
        // autocannon's context is per connection: each connection keeps one session of its own.
        setupRequest: (req: autocannon.Request, context: object): autocannon.Request => {
          const c = context as { session?: Session };
          c.session ??= sessions[next++ % sessions.length];
          const s = c.session as Session;
          return {
            ...req,
            headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, origin: url, 'content-type': 'application/json', 'x-forwarded-for': s.ip },
            ...(method === 'POST' ? { body: path === '/api/messages' ? newThread() : '{}' } : {}),
          };
        },
      };
    }),
  });
  if (result.non2xx || result.errors) {
    console.log(`  (${url}: status counts ${JSON.stringify(result.statusCodeStats)}, ${result.errors} connection errors)`);
  }
  return { requests: result.requests.total, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

/** (b) Patients with think time: each one request every 1–2 s; latency of each answer. */
async function thinkTime(url: string, sessions: Session[]): Promise<{ p50: number; p99: number; errors: number; requests: number }> {
  const latencies: number[] = [];
  const byRoute = new Map<string, number[]>();
  let errors = 0;
  const until = performance.now() + PATIENT_SECONDS * 1000;
  await Promise.all(
    sessions.map(async (s, i) => {
      let turn = i;
      // Spread the first requests over the first second.
      await new Promise((r) => setTimeout(r, Math.random() * 1000));
      while (performance.now() < until) {
        const [method, path] = (MIX[turn++ % MIX.length] ?? 'GET /api/home').split(' ') as [string, string];
        const started = performance.now();
        try {
          const res = await fetch(`${url}${path}`, {
            method,
            headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, origin: url, 'content-type': 'application/json', 'x-forwarded-for': s.ip },
            ...(method === 'POST' ? { body: path === '/api/messages' ? newThread() : '{}' } : {}),
          });
          await res.arrayBuffer();
          if (res.status >= 400) {
            errors += 1;
          }
        } catch {
          errors += 1;
        }
        const took = performance.now() - started;
        latencies.push(took);
        byRoute.set(`${method} ${path}`, [...(byRoute.get(`${method} ${path}`) ?? []), took]);
        await new Promise((r) => setTimeout(r, 1000 + Math.random() * 1000));
      }
    }),
  );
  const at = (q: number) => quantile(latencies, q);
  for (const [route, values] of byRoute) {
    console.log(`  ${route.padEnd(24)} ${String(values.length).padStart(5)} requests  p50 ${quantile(values, 0.5).toFixed(1)} ms  p99 ${quantile(values, 0.99).toFixed(1)} ms`);
  }
  return { p50: at(0.5), p99: at(0.99), errors, requests: latencies.length };
}

interface Row {
  target: string;
  mode: 'ours' | 'bare';
  rps: number;
  satP99: number;
  satErrors: number;
  signInsPerSecond: number;
  p50?: number;
  p99?: number;
  errors?: number;
}

interface Side {
  mode: 'ours' | 'bare';
  target: Target;
  sessions: Session[];
  signInsPerSecond: number;
  requests: number;
  seconds: number;
  satP99: number;
  satErrors: number;
}

/**
 * Ours and bare run side by side (each on a database of its own) and take turns under saturation:
 * BENCH_ROUNDS windows each, the order flipped every round, so a machine that gets busier or
 * quieter during the run (another job, a checkpoint, a warming cache) weighs on both alike. req/s is
 * each side's requests over its windows; the ratio is printed per round too, to show its spread.
 */
async function measure(target: string, o: { instances: number; databaseUrls?: [string, string] }, withPatients: boolean): Promise<Row[]> {
  const sides: Side[] = [];
  try {
    for (const mode of ['ours', 'bare'] as const) {
      const dataDir = mkdtempSync(join(tmpdir(), `bench-load-${target}-${mode}-`));
      onExit(() => rmSync(dataDir, { recursive: true, force: true }));
      const databaseUrl = o.databaseUrls?.[mode === 'ours' ? 0 : 1];
      const t = await startTarget(mode, { instances: o.instances, dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
      sides.push({ mode, target: t, sessions: [], signInsPerSecond: 0, requests: 0, seconds: 0, satP99: 0, satErrors: 0 });
      const { sessions, perSecond } = await signInPatients(t.url, CONNECTIONS + (withPatients && mode === 'ours' ? PATIENTS : 0));
      Object.assign(sides[sides.length - 1] as Side, { sessions, signInsPerSecond: perSecond });
    }
    const ratios: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      const rps = new Map<string, number>();
      for (const side of order) {
        const sat = await saturation(side.target.url, side.sessions.slice(0, CONNECTIONS), WINDOW_SECONDS);
        side.requests += sat.requests;
        side.seconds += WINDOW_SECONDS;
        side.satP99 = Math.max(side.satP99, sat.p99);
        side.satErrors += sat.errors;
        rps.set(side.mode, sat.requests / WINDOW_SECONDS);
      }
      ratios.push(((rps.get('ours') ?? 0) / (rps.get('bare') ?? 1)).toFixed(2));
    }
    console.log(`  ${target}: ours/bare per round ${ratios.join(', ')}`);
    const rows = sides.map<Row>((side) => ({
      target,
      mode: side.mode,
      rps: side.requests / side.seconds,
      satP99: side.satP99,
      satErrors: side.satErrors,
      signInsPerSecond: side.signInsPerSecond,
    }));
    const ours = sides[0];
    if (withPatients && ours) {
      await ours.target.stats();
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      Object.assign(rows[0] ?? {}, await thinkTime(ours.target.url, ours.sessions.slice(CONNECTIONS, CONNECTIONS + PATIENTS)));
      loop.disable();
      const ms = (n: number) => `${n.toFixed(1)} ms`;
      for (const st of await ours.target.stats()) {
        console.log(`  server side: ${st.requests} requests  p50 ${ms(st.p50)}  p99 ${ms(st.p99)}  max ${ms(st.max)}; its event loop late p50 ${ms(st.loopP50)}  p99 ${ms(st.loopP99)}  max ${ms(st.loopMax)}`);
        console.log(`  server side: ${st.writes} writes waited for the write lock p50 ${ms(st.writeWaitP50)}  p99 ${ms(st.writeWaitP99)}, then held it p50 ${ms(st.writeHoldP50)}  p99 ${ms(st.writeHoldP99)}; WAL file ${(st.walBytes / 1e6).toFixed(1)} MB`);
      }
      console.log(`  load generator's event loop late p50 ${ms(loop.percentile(50) / 1e6)}  p99 ${ms(loop.percentile(99) / 1e6)}  max ${ms(loop.max / 1e6)}`);
    }
    return rows;
  } finally {
    await Promise.all(sides.map((side) => side.target.stop()));
  }
}

async function pgDatabase(admin: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_load_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const c = new Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const d = new Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

async function main(): Promise<void> {
  console.log(`Load bench on 127.0.0.1: saturation ${CONNECTIONS} connections, ${ROUNDS} windows of ${WINDOW_SECONDS} s per side, ours and bare taking turns; ${PATIENTS} patients × ${PATIENT_SECONDS} s with 1–2 s think time.`);
  console.log(`Limits set for load from one machine: ${Object.entries(BENCH_LIMITS).map(([k, v]) => `${k}=${v}`).join(' ')}; each simulated patient has its own X-Forwarded-For (10.x.y.z).`);
  const rows: Row[] = [];
  rows.push(...(await measure('sqlite', { instances: 1 }, true)));
  for (const [target, instances] of [
    ['pg', 1],
    ['two', 2],
  ] as const) {
    if (target === 'two' && !hasNginx) {
      console.log('two: skipped (nginx is not installed)');
      continue;
    }
    if (!PG_ADMIN) {
      console.log(`${target}: skipped (no BENCH_POSTGRES_URL or PORTAL_TEST_POSTGRES_URL)`);
      continue;
    }
    const dbs: { url: string; drop(): Promise<void> }[] = [];
    try {
      dbs.push(await pgDatabase(PG_ADMIN), await pgDatabase(PG_ADMIN));
      rows.push(...(await measure(target, { instances, databaseUrls: [dbs[0]?.url ?? '', dbs[1]?.url ?? ''] }, false)));
    } finally {
      await Promise.all(dbs.map((db) => db.drop()));
    }
  }
  const f = (n: number | undefined, d = 0) => (n === undefined ? '—' : n.toFixed(d));
  console.log('\ntarget  server  req/s   sat.p99 ms  sat.errors  sign-ins/s  p50 ms  p99 ms  errors');
  for (const r of rows) {
    console.log(
      `${r.target.padEnd(7)} ${r.mode.padEnd(7)} ${f(r.rps).padStart(6)} ${f(r.satP99).padStart(11)} ${f(r.satErrors).padStart(11)} ${f(r.signInsPerSecond, 1).padStart(11)} ${f(r.p50, 1).padStart(7)} ${f(r.p99, 1).padStart(7)} ${f(r.errors).padStart(7)}`,
    );
  }
  const ours = (t: string) => rows.find((r) => r.target === t && r.mode === 'ours');
  const bare = (t: string) => rows.find((r) => r.target === t && r.mode === 'bare');
  for (const t of ['sqlite', 'pg', 'two']) {
    const o = ours(t);
    const b = bare(t);
    if (o && b) {
      console.log(`${t}: ours/bare = ${(o.rps / b.rps).toFixed(2)} (target ≥ 0.8)`);
    }
  }
  const sqlite = ours('sqlite');
  console.log(
    formatLoadLine({
      sqliteRps: sqlite?.rps ?? 0,
      pgRps: ours('pg')?.rps ?? null,
      twoRps: ours('two')?.rps ?? null,
      ratioVsBare: sqlite && bare('sqlite') ? sqlite.rps / (bare('sqlite')?.rps ?? 1) : null,
      p99Ms: sqlite?.p99 ?? null,
      errors: rows.reduce((n, r) => n + r.satErrors + (r.errors ?? 0), 0),
    }),
  );
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
