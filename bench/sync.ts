/**
 * `npm run bench:sync`: our console ⇄ portal sync against PouchDB 9 replication (express-pouchdb),
 * both measured in this run on this machine over loopback, with the same ~300-byte appointment
 * records. Prints a table and one summary line; never part of the test suite.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AppointmentRecord } from '../shared/domain/appointment';
import type { PushResponse } from '../shared/sync/protocol';
import { TEST_CLINIC, api, signInStaff } from '../test/fixtures/portal';
import { onExit, startHelper } from './child';
import type { Helper } from './child';
import { countRows, firstSync, openConsole } from './ourConsole';
import { PATIENT_PREFIX, appointmentRecord, benchId } from './records';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000);
const PATIENTS = 500;
const INITIAL_TRIALS = Number(process.env.BENCH_INITIAL_TRIALS ?? 5);
const LIVE_TRIALS = Number(process.env.BENCH_LIVE_TRIALS ?? 100);
const LIVE_WARMUP = 5;
const BIG = Number(process.env.BENCH_BIG ?? 100_000);
const BIG_NEW = 1000;
const PASSWORD = 'Staff2Work';

/** The slice of PouchDB's API this benchmark uses (the package ships no types). */
interface PouchDb {
  put(doc: object): Promise<{ rev: string }>;
  info(): Promise<{ doc_count: number }>;
  destroy(): Promise<void>;
  changes(o: { since: 'now'; live: true }): PouchEmitter;
}
interface PouchEmitter {
  on(event: 'change', fn: (change: { id: string }) => void): PouchEmitter;
  cancel(): void;
}
interface PouchStatic {
  new (name: string): PouchDb;
  defaults(o: { prefix: string }): PouchStatic;
  replicate(source: PouchDb | string, target: PouchDb, o?: { batch_size?: number; live?: boolean; retry?: boolean }): Promise<{ docs_written: number }> & { cancel(): void };
}

const require = createRequire(__filename);

const median = (xs: number[]): number => quantile(xs, 0.5);
/** Nearest-rank quantile. */
function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One temp folder for the whole run, handed to the helper processes (BENCH_TMP) for their data:
 * removed at exit, also on Ctrl-C, after the helpers are killed.
 */
function benchTempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sync-'));
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  process.env.BENCH_TMP = dir;
  return dir;
}

interface Team {
  adminToken: string;
  physicianId: string;
}

async function setUpTeam(url: string): Promise<Team> {
  const admin = await signInStaff(url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  const add = async (username: string, role: string): Promise<string> => {
    const res = await api<{ id: string }>(url, '/api/staff/users', { token: admin.token, body: { username, displayName: username, role, password: PASSWORD } });
    if (res.status !== 201) {
      throw new Error(`adding ${username} failed: ${res.status}`);
    }
    return res.body.id;
  };
  await add('desk1', 'receptionist');
  await add('desk2', 'receptionist');
  return { adminToken: admin.token, physicianId: await add('drpatel', 'physician') };
}

async function oursInitial(url: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < INITIAL_TRIALS; i += 1) {
    const bench = await openConsole(url, 'desk1', PASSWORD);
    const t0 = performance.now();
    await firstSync(bench.core);
    times.push(performance.now() - t0);
    const rows = await countRows(bench.core, 'appointment');
    await bench.dispose();
    if (rows !== RECORDS) {
      throw new Error(`our console holds ${rows} appointments, expected ${RECORDS}`);
    }
  }
  return times;
}

async function pouchInitial(Pouch: PouchStatic, url: string, batchSize: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < INITIAL_TRIALS; i += 1) {
    const local = new Pouch(`initial-${batchSize}-${i}`);
    const t0 = performance.now();
    await Pouch.replicate(`${url}/initial`, local, { batch_size: batchSize });
    times.push(performance.now() - t0);
    const { doc_count: docs } = await local.info();
    await local.destroy();
    if (docs !== RECORDS) {
      throw new Error(`PouchDB holds ${docs} docs, expected ${RECORDS}`);
    }
  }
  return times;
}

/**
 * Ours, live: another staff member's console pushes one patient change (POST /api/sync/push, an
 * `updatePatient` intent); timed until this console's `data.changed` event for patients.
 */
interface LiveTimes {
  /** Write issued → the console shows it. */
  total: number[];
  /** The write's own HTTP request (issued → answered). */
  write: number[];
}

async function oursLive(url: string): Promise<LiveTimes> {
  const bench = await openConsole(url, 'desk1', PASSWORD);
  await firstSync(bench.core);
  const writer = await signInStaff(url, 'desk2', PASSWORD);
  const clientId = randomUUID();
  const patientId = benchId(PATIENT_PREFIX, 0);
  const times: LiveTimes = { total: [], write: [] };
  try {
    for (let i = 0; i < LIVE_TRIALS + LIVE_WARMUP; i += 1) {
      await sleep(20);
      const seen = new Promise<void>((resolve) => {
        const off = bench.core.events.on('data.changed', ({ tables }) => {
          if (tables.includes('patient')) {
            off();
            resolve();
          }
        });
      });
      const mutation = { seq: i + 1, name: 'updatePatient', argsVersion: 1, args: { patientId, baseVersion: i + 1, changes: { familyName: `Walker${'s'.repeat(i % 2)}` } }, createdAt: new Date().toISOString(), staffUserId: writer.staff.id };
      const t0 = performance.now();
      const res = await api<PushResponse>(url, '/api/sync/push', { token: writer.token, body: { clientId, mutations: [mutation] } });
      const written = performance.now() - t0;
      if (res.body.outcomes[0]?.status !== 'applied') {
        throw new Error(`the live write was not applied: ${JSON.stringify(res.body)}`);
      }
      await seen;
      if (i >= LIVE_WARMUP) {
        times.total.push(performance.now() - t0);
        times.write.push(written);
      }
    }
  } finally {
    await bench.dispose();
  }
  return times;
}

/** PouchDB, live: one `put` on the server database until the local changes feed fires. */
async function pouchLive(Pouch: PouchStatic, url: string, sample: AppointmentRecord): Promise<LiveTimes> {
  const remote = new Pouch(`${url}/live`);
  await remote.put({ ...sample, _id: 'first' });
  const local = new Pouch('live-local');
  const replication = Pouch.replicate(remote, local, { live: true, retry: true });
  const listeners = new Map<string, () => void>();
  const feed = local.changes({ since: 'now', live: true }).on('change', (c) => listeners.get(c.id)?.());
  const times: LiveTimes = { total: [], write: [] };
  try {
    for (let i = 0; i < LIVE_TRIALS + LIVE_WARMUP; i += 1) {
      await sleep(20);
      const id = `live-${i}`;
      const seen = new Promise<void>((resolve) => listeners.set(id, resolve));
      const t0 = performance.now();
      await remote.put({ ...sample, _id: id });
      const written = performance.now() - t0;
      await seen;
      if (i >= LIVE_WARMUP) {
        times.total.push(performance.now() - t0);
        times.write.push(written);
      }
    }
  } finally {
    feed.cancel();
    replication.cancel();
  }
  return times;
}

interface BigResult {
  initialMs: number;
  pullMs: number;
  added: number;
  rssMb: number;
}

/** A console with BIG records pulls BIG_NEW new changes, in its own process (its RSS is the console's). */
async function oursBig(server: Helper, physicianId: string): Promise<BigResult> {
  await server.request({ op: 'seed', patients: PATIENTS, appointments: BIG - RECORDS, batch: 1, physicianId, poke: false });
  const console = await startHelper(join(__dirname, 'catchUp.ts'), [server.url, 'desk1', PASSWORD]);
  try {
    const initial = await console.request<{ ms: number; rows: number }>({ op: 'initial' });
    if (initial.rows !== BIG) {
      throw new Error(`the big console holds ${initial.rows} appointments, expected ${BIG}`);
    }
    await server.request({ op: 'seed', patients: PATIENTS, appointments: BIG_NEW, batch: 2, physicianId, poke: false });
    const pulled = await console.request<{ ms: number; added: number; rssMb: number }>({ op: 'pull' });
    return { initialMs: initial.ms, pullMs: pulled.ms, added: pulled.added, rssMb: pulled.rssMb };
  } finally {
    await console.stop();
  }
}

const fmt = (ms: number, digits = 1) => ms.toFixed(digits);

async function main(): Promise<void> {
  const root = benchTempRoot();
  const pouchServerDir = mkdtempSync(join(root, 'pouch-server-'));
  const pouchClientDir = mkdtempSync(join(root, 'pouch-client-'));
  const Pouch = (require('pouchdb') as PouchStatic).defaults({ prefix: `${pouchClientDir}/` });

  const ours = await startHelper(join(__dirname, 'ourServer.ts'));
  const pouch = await startHelper(join(__dirname, 'pouchServer.mjs'), [pouchServerDir]);
  const team = await setUpTeam(ours.url);
  const records = Array.from({ length: RECORDS }, (_, i) => appointmentRecord(i, PATIENTS, team.physicianId));
  const meanBytes = records.reduce((sum, r) => sum + JSON.stringify(r).length, 0) / records.length;
  console.log(`sync-bench: ${RECORDS} appointment records of ${meanBytes.toFixed(0)} bytes of JSON on average (${PATIENTS} patients besides, ours only)`);
  console.log('  ours: portal server in a child process (SQLite), seeded by direct row + change-log inserts; console core in this process (SQLite replica)');
  console.log('  PouchDB 9: express-pouchdb (minimumForPouchDB) in a child process, leveldb on both sides; client PouchDB.replicate(remote, emptyLocal)');
  console.log('  live write, ours: another desk pushes one updatePatient intent (POST /api/sync/push), timed until this console emits data.changed;');
  console.log('  PouchDB: remote.put of one document, timed until the local changes feed of a live replication fires');
  await ours.request({ op: 'seed', patients: PATIENTS, appointments: RECORDS, batch: 0, physicianId: team.physicianId, poke: false });
  await pouch.request({ op: 'seed', db: 'initial', docs: records.map((r) => ({ ...r, _id: r.id })) });

  const oursInit = await oursInitial(ours.url);
  const pouchInit = await pouchInitial(Pouch, pouch.url, 100);
  const pouchInit1000 = await pouchInitial(Pouch, pouch.url, 1000);
  const oursLiveTimes = await oursLive(ours.url);
  const pouchLiveTimes = await pouchLive(Pouch, pouch.url, records[0] as AppointmentRecord);
  const oursLiveMs = oursLiveTimes.total;
  const pouchLiveMs = pouchLiveTimes.total;
  const big = BIG > RECORDS ? await oursBig(ours, team.physicianId) : null;
  await Promise.all([ours.stop(), pouch.stop()]);

  const rows: [string, string, string][] = [
    [`initial sync ${RECORDS} records, median of ${INITIAL_TRIALS} (s)`, fmt(median(oursInit) / 1000, 3), `${fmt(median(pouchInit) / 1000, 3)} (batch_size 100) / ${fmt(median(pouchInit1000) / 1000, 3)} (batch_size 1000)`],
    [`live propagation, ${LIVE_TRIALS} trials: p50 (ms)`, fmt(median(oursLiveMs)), fmt(median(pouchLiveMs))],
    ['live propagation: p90 (ms)', fmt(quantile(oursLiveMs, 0.9)), fmt(quantile(pouchLiveMs, 0.9))],
    ['live propagation: p99 (ms)', fmt(quantile(oursLiveMs, 0.99)), fmt(quantile(pouchLiveMs, 0.99))],
    ['live: the write request alone (push / put), p50 (ms)', fmt(median(oursLiveTimes.write)), fmt(median(pouchLiveTimes.write))],
  ];
  if (big) {
    rows.push([`${BIG}-record console: first sync (s)`, fmt(big.initialMs / 1000, 2), '-']);
    rows.push([`${BIG}-record console: pull ${big.added} new changes (ms)`, fmt(big.pullMs), '-']);
    rows.push([`${BIG}-record console: RSS of the console process (MB)`, fmt(big.rssMb, 0), '-']);
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${'measure'.padEnd(width)} | ${'ours'.padStart(8)} | PouchDB`);
  console.log(`${'-'.repeat(width)}-+-${'-'.repeat(8)}-+-${'-'.repeat(30)}`);
  for (const [label, a, b] of rows) {
    console.log(`${label.padEnd(width)} | ${a.padStart(8)} | ${b}`);
  }
  console.log(`trials (ms): ours initial ${oursInit.map((t) => fmt(t, 0)).join(' ')}; PouchDB initial ${pouchInit.map((t) => fmt(t, 0)).join(' ')}`);
  const speedup = median(pouchInit) / median(oursInit);
  console.log(
    `targets: initial <= 1/3 of PouchDB: ${speedup >= 3 ? 'met' : 'NOT met'}; live p50 <= 15 ms and <= PouchDB's: ${median(oursLiveMs) <= 15 && median(oursLiveMs) <= median(pouchLiveMs) ? 'met' : 'NOT met'}; live p99 <= 50 ms: ${quantile(oursLiveMs, 0.99) <= 50 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `sync-bench: initial10k ours=${fmt(median(oursInit) / 1000, 3)} pouchdb=${fmt(median(pouchInit) / 1000, 3)} speedup=${speedup.toFixed(2)} live_p50=${fmt(median(oursLiveMs))} live_p99=${fmt(quantile(oursLiveMs, 0.99))}`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
