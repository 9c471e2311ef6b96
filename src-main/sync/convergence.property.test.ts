/**
 * Property: whatever three consoles do offline, in whatever order they sync, whatever goes wrong on
 * the way — a push answer lost after the server applied it, a console closed in the middle of its
 * work and started again, a console left running so pokes carry changes to it, invitations sent and
 * revoked, the server restored from a backup taken earlier in the run — once all of them have synced
 * until nothing waits, their replicas equal each other, the server's data as a pull gives it and the
 * server's own tables; every outbox entry was settled once (applied or refused), and nothing was
 * applied twice. Real portal server on 127.0.0.1, real console cores with their own SQLite files.
 * fast-check shrinks a failing run and prints its seed and steps. PROPERTY_RUNS sets the number of
 * runs (`npm run test:soak` runs many more).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/api/errors';
import type { RecordBundle } from '../../shared/domain/record';
import { ClientMutationEntity, MutationRejectionEntity } from '../../shared/node/entities/server';
import type { MutationArgs } from '../../shared/sync/protocol';
import { formatUsDate } from '../../shared/time/dateOnly';
import { pendingCount, replicaSnapshot, serverSnapshotVia, serverTableVersions, snapshotSizes, snapshotVersions } from '../../test/fixtures/convergence';
import type { SyncSnapshot } from '../../test/fixtures/convergence';
import type { ClinicTeam } from '../../test/fixtures/patients';
import { clinicTeam, futureSlot } from '../../test/fixtures/patients';
import type { TestPortal } from '../../test/fixtures/portal';
import { startTestPortal } from '../../test/fixtures/portal';
import { OutboxEntity } from '../replica/entities';
import type { OutboxRow } from '../replica/entities';
import { ensureClientId } from '../replica/syncState';
import type { FetchLike } from '../net/serverClient';
import { startSignedInCore, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

const PHYSICIANS = ['drpatel', 'drkim', 'drlee'] as const;
const PHONES = ['555-0101', '555-0102', '555-0103'];
const FAMILY_NAMES = ['Lopez', 'Diaz', 'Reyes'];
const NOTES = ['Mild', 'Seasonal', 'Resolved in spring'];

type Step =
  | { t: 'sync'; c: number }
  | { t: 'editPatient'; c: number; p: number; field: 'phone' | 'familyName' | 'email'; v: number }
  | { t: 'book'; c: number; p: number; slot: number }
  | { t: 'cancel'; c: number; pick: number }
  | { t: 'message'; c: number; p: number }
  | { t: 'reply'; c: number; pick: number }
  | { t: 'recordEntry'; c: number; p: number; pick: number; field: 'note' | 'status'; v: number }
  | { t: 'invite'; c: number; p: number; revoke: boolean }
  | { t: 'loseReply'; c: number }
  | { t: 'crash'; c: number }
  | { t: 'live'; c: number }
  | { t: 'backup' }
  | { t: 'restore' };

const consoleIx = fc.integer({ min: 0, max: 2 });
const patientIx = fc.integer({ min: 0, max: 1 });
const pick = fc.nat({ max: 5 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('sync' as const), c: consoleIx }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('editPatient' as const), c: consoleIx, p: patientIx, field: fc.constantFrom('phone' as const, 'familyName' as const, 'email' as const), v: fc.nat({ max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('book' as const), c: consoleIx, p: patientIx, slot: fc.nat({ max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('cancel' as const), c: consoleIx, pick }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('message' as const), c: consoleIx, p: patientIx }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('reply' as const), c: consoleIx, pick }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('recordEntry' as const), c: consoleIx, p: patientIx, pick, field: fc.constantFrom('note' as const, 'status' as const), v: fc.nat({ max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('invite' as const), c: consoleIx, p: patientIx, revoke: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('loseReply' as const), c: consoleIx }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('crash' as const), c: consoleIx }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('live' as const), c: consoleIx }) },
  { weight: 1, arbitrary: fc.constant({ t: 'backup' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'restore' as const }) },
);

const RUNS = Number(process.env.PROPERTY_RUNS ?? 12);
/** Replays a failing run: PROPERTY_SEED and PROPERTY_PATH as fast-check printed them. */
const REPLAY = process.env.PROPERTY_SEED ? { seed: Number(process.env.PROPERTY_SEED), path: process.env.PROPERTY_PATH } : {};

let portal: TestPortal;
let team: ClinicTeam;
let adminToken: string;
let run = 0;

/** A fresh server per run (so a failing seed replays alone), with three physicians: every step is open to each. */
async function startWorldServer(dataDir: string): Promise<void> {
  portal = await startTestPortal({ dataDir });
  team = await clinicTeam(portal);
  await team.add('drkim', 'Dr. Kim', 'physician');
  await team.add('drlee', 'Dr. Lee', 'physician');
  adminToken = team.admin.console.token;
}

/** One sync point: this console goes online, syncs once, and goes offline again (a live one just syncs). */
async function syncOnce(w: World, c: number): Promise<void> {
  const core = w.cores[c] as TestCore;
  if (w.live.has(c)) {
    await core.engine.syncNow();
    return;
  }
  core.engine.start();
  await core.engine.syncNow();
  await core.engine.stop();
}

/** The network of one console: its next push can reach the server and be applied, with the answer lost on the way back. */
interface Network {
  loseNextPushAnswer: boolean;
  fetch: FetchLike;
}

function network(): Network {
  const net: Network = {
    loseNextPushAnswer: false,
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      if (net.loseNextPushAnswer && String(url).endsWith('/api/sync/push')) {
        net.loseNextPushAnswer = false;
        await response.arrayBuffer();
        throw new TypeError('fetch failed (the answer was lost)');
      }
      return response;
    },
  };
  return net;
}

/** What the consoles of one run share: its patients and the ids of what they made. */
interface World {
  cores: TestCore[];
  networks: Network[];
  dataDirs: string[];
  /** Consoles whose engine runs between steps (pokes reach them). */
  live: Set<number>;
  root: string;
  serverDir: string;
  backedUp: boolean;
  restored: boolean;
  patients: string[];
  appointments: string[];
  threads: string[];
  entries: Map<string, string[]>;
}

/** The server stops and starts again on the same port (consoles keep its address); `between` runs while it is down. */
async function restartServer(w: World, between: () => void): Promise<void> {
  const port = portal.handle.port;
  await portal.handle.close();
  between();
  portal = await startTestPortal({ dataDir: w.serverDir, config: { port } });
}

async function perform(w: World, step: Step): Promise<void> {
  if (step.t === 'backup') {
    w.backedUp = true;
    return restartServer(w, () => {
      rmSync(join(w.root, 'backup'), { recursive: true, force: true });
      cpSync(w.serverDir, join(w.root, 'backup'), { recursive: true });
    });
  }
  if (step.t === 'restore') {
    if (!w.backedUp) {
      return;
    }
    w.restored = true;
    return restartServer(w, () => {
      rmSync(w.serverDir, { recursive: true, force: true });
      cpSync(join(w.root, 'backup'), w.serverDir, { recursive: true });
    });
  }
  const core = w.cores[step.c] as TestCore;
  const s = core.services;
  switch (step.t) {
    case 'sync':
      return syncOnce(w, step.c);
    case 'loseReply':
      (w.networks[step.c] as Network).loseNextPushAnswer = true;
      return syncOnce(w, step.c);
    case 'crash': {
      // Closed mid-work and started again on the same files: what was committed is all it has.
      await core.close();
      w.live.delete(step.c);
      const again = await startTestCore({ serverUrl: portal.url, dataDir: w.dataDirs[step.c] as string, fetch: (w.networks[step.c] as Network).fetch });
      await again.engine.stop();
      w.cores[step.c] = { ...again, dataDir: w.dataDirs[step.c] as string, dispose: () => again.close() };
      return;
    }
    case 'live':
      w.live.add(step.c);
      core.engine.start();
      return;
    case 'invite': {
      const id = w.patients[step.p] as string;
      await (step.revoke ? s.invitations.revoke(id) : s.invitations.send(id));
      return;
    }
    case 'editPatient': {
      const id = w.patients[step.p] as string;
      const { patient } = await s.patients.get(id);
      const value = { phone: PHONES[step.v], familyName: FAMILY_NAMES[step.v], email: `p${step.p}.v${step.v}@example.com` }[step.field] as string;
      await s.patients.update(id, { givenName: patient.givenName, familyName: patient.familyName, dateOfBirth: formatUsDate(patient.dateOfBirth), email: patient.email, phone: patient.phone ?? '', [step.field]: value });
      return;
    }
    case 'book': {
      // Three slots only: two desks booking the same one offline is common.
      const start = futureSlot(30, 14 + step.slot);
      const made = await s.appointments.create({ patientId: w.patients[step.p] as string, physicianId: team.doctor.id, start, durationMinutes: 30, reason: 'Check-up' });
      w.appointments.push(made.row.id);
      return;
    }
    case 'cancel': {
      const id = w.appointments[step.pick % Math.max(1, w.appointments.length)];
      if (id) {
        await s.appointments.cancel(id, 'The patient called to cancel.');
      }
      return;
    }
    case 'message': {
      const made = await s.messages.start({ patientId: w.patients[step.p] as string, subject: 'Your results', body: 'Please call us about your results.' });
      w.threads.push(made.thread.row.id);
      return;
    }
    case 'reply': {
      const id = w.threads[step.pick % Math.max(1, w.threads.length)];
      if (id) {
        await s.messages.reply(id, `Following up (${step.c}).`);
      }
      return;
    }
    case 'recordEntry': {
      const patientId = w.patients[step.p] as string;
      const known = w.entries.get(patientId) ?? [];
      const bundle: RecordBundle = await s.record.get(patientId);
      const entry = bundle.problem.find((e) => e.id === known[step.pick % Math.max(1, known.length)]);
      const fields = { name: 'Asthma', status: 'active' as const, onsetDate: null, note: NOTES[step.v] as string };
      if (!entry) {
        const saved = await s.record.save({ kind: 'problem', patientId, entryId: null, fields });
        const added = saved.problem.map((e) => e.id).filter((id) => !bundle.problem.some((b) => b.id === id));
        w.entries.set(patientId, [...known, ...added]);
        return;
      }
      // Physicians at different consoles change the note or the status: the same field conflicts, the other merges.
      const change = step.field === 'note' ? { note: fields.note } : { status: step.v === 1 ? ('resolved' as const) : ('active' as const) };
      await s.record.save({ kind: 'problem', patientId, entryId: entry.id, fields: { name: entry.name, status: entry.status, onsetDate: entry.onsetDate, note: entry.note, ...change } });
      return;
    }
  }
}

/** Steps a console itself refuses (a slot it knows is taken, a row it has not pulled yet) write nothing; the run goes on. */
async function performTolerant(w: World, step: Step): Promise<void> {
  try {
    await perform(w, step);
  } catch (err) {
    if (!(err instanceof DomainError)) {
      throw err;
    }
  }
}

/** Live consoles stop; every console syncs in turn until nothing waits anywhere, then once more so each pulls the last pushes. */
async function settle(w: World): Promise<void> {
  for (const c of w.live) {
    await (w.cores[c] as TestCore).engine.stop();
  }
  w.live.clear();
  for (let round = 0; round < 20; round += 1) {
    for (const c of w.cores.keys()) {
      await syncOnce(w, c);
    }
    const waiting = await Promise.all(w.cores.map((c) => pendingCount(c.db)));
    if (waiting.every((n) => n === 0)) {
      for (const c of w.cores.keys()) {
        await syncOnce(w, c);
      }
      return;
    }
  }
  throw new Error('The consoles did not settle in 20 rounds.');
}

const argsOf = <N extends keyof MutationArgs>(row: OutboxRow): MutationArgs[N] => JSON.parse(row.args) as MutationArgs[N];

/** How many accepted changes each row got, over all consoles' outboxes. */
function appliedPerRow(outboxes: OutboxRow[][]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const row of outboxes.flat().filter((r) => r.status === 'applied')) {
    if (row.name === 'updatePatient') {
      add(`patient:${argsOf<'updatePatient'>(row).patientId}`);
    } else if (row.name === 'createAppointment' || row.name === 'cancelAppointment') {
      add(`appointment:${argsOf<'cancelAppointment'>(row).appointmentId}`);
    } else if (row.name === 'saveRecordEntry') {
      add(`problem:${argsOf<'saveRecordEntry'>(row).entryId}`);
    } else if (row.name === 'startThread' || row.name === 'replyToThread') {
      add(`messages:${argsOf<'replyToThread'>(row).threadId}`);
    }
  }
  return counts;
}

async function checkConverged(w: World): Promise<void> {
  const server: SyncSnapshot = await serverSnapshotVia(portal.url, adminToken);
  // What the server's own tables hold, read without the pull code: the same rows at the same versions.
  expect(snapshotVersions(server), 'a pull gives what the server tables hold').toEqual(await serverTableVersions(portal.handle.context.db));
  for (const [i, core] of w.cores.entries()) {
    const replica = await replicaSnapshot(core.db);
    expect(snapshotSizes(replica), `console ${i} row counts`).toEqual(snapshotSizes(server));
    expect(replica, `console ${i} equals the server`).toEqual(server);
  }

  const outboxes = await Promise.all(w.cores.map((c) => c.db.read((m) => m.find(OutboxEntity, { order: { seq: 'ASC' } }))));
  for (const [i, core] of w.cores.entries()) {
    const rows = outboxes[i] as OutboxRow[];
    // Settled once: applied or refused, nothing waiting (the outbox's seq is its primary key).
    expect(rows.filter((r) => r.status !== 'applied' && r.status !== 'rejected'), `console ${i} unsettled entries`).toEqual([]);
    const clientId = await core.db.write(ensureClientId);
    const onServer = await portal.handle.context.db.read(async (m) => ({
      last: (await m.findOneBy(ClientMutationEntity, { clientId }))?.lastSeq ?? 0,
      rejected: (await m.find(MutationRejectionEntity, { where: { clientId }, order: { seq: 'ASC' } })).map((r) => r.seq),
    }));
    expect(onServer.last, `console ${i}: the server saw every seq`).toBe(rows.at(-1)?.seq ?? 0);
    if (!w.restored) {
      // A restore forgets refusals recorded after the backup (those seqs are passed, not sent again).
      expect(onServer.rejected, `console ${i}: refusals agree`).toEqual(rows.filter((r) => r.status === 'rejected').map((r) => r.seq));
    }
  }

  // Nothing applied twice: each row's version (or message count) is exactly its accepted changes.
  const applied = appliedPerRow(outboxes);
  for (const id of w.patients) {
    expect((server.patient[id] as { version: number }).version, `patient ${id}`).toBe(1 + (applied.get(`patient:${id}`) ?? 0));
  }
  for (const id of new Set(w.appointments)) {
    expect((server.appointment[id] as { version: number } | undefined)?.version ?? 0, `appointment ${id}`).toBe(applied.get(`appointment:${id}`) ?? 0);
  }
  for (const id of new Set([...w.entries.values()].flat())) {
    expect((server.problem[id] as { version: number } | undefined)?.version ?? 0, `problem ${id}`).toBe(applied.get(`problem:${id}`) ?? 0);
  }
  for (const id of new Set(w.threads)) {
    const messages = Object.values(server.message).filter((msg) => (msg as { threadId: string }).threadId === id);
    expect(messages.length, `thread ${id}`).toBe(applied.get(`messages:${id}`) ?? 0);
  }
}

describe('convergence of three offline consoles', () => {
  it('random offline edits, sync points and faults on three consoles converge to the server’s data', { timeout: 20_000 * RUNS + 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 25 }), async (steps) => {
        run += 1;
        const root = mkdtempSync(join(tmpdir(), 'convergence-'));
        const serverDir = join(root, 'server');
        await startWorldServer(serverDir);
        const cores: TestCore[] = [];
        const networks = [network(), network(), network()];
        const dataDirs = PHYSICIANS.map((_, i) => join(root, `console-${i}`));
        let w: World | null = null;
        try {
          const patients: string[] = [];
          for (const p of [0, 1]) {
            const made = await team.desk.console.preRegister({ givenName: `Run${run}`, familyName: FAMILY_NAMES[0], email: `p${p}.run${run}@example.com`, phone: PHONES[0] });
            expect(made.response.outcomes[0]?.status).toBe('applied');
            patients.push(made.patientId);
          }
          for (const [i, username] of PHYSICIANS.entries()) {
            const core = await startSignedInCore(portal.url, username, 'Staff2Work', { dataDir: dataDirs[i], fetch: (networks[i] as Network).fetch });
            cores.push(core);
            await core.engine.stop();
          }
          w = { cores, networks, dataDirs, live: new Set(), root, serverDir, backedUp: false, restored: false, patients, appointments: [], threads: [], entries: new Map() };
          for (const step of steps) {
            await performTolerant(w, step);
          }
          await settle(w);
          await checkConverged(w);
        } finally {
          await Promise.all((w?.cores ?? cores).map((c) => c.close()));
          await portal.stop();
          rmSync(root, { recursive: true, force: true });
        }
      }),
      // Shrinking stays on: a failing run is cut down to the few steps that still fail.
      { numRuns: RUNS, ...REPLAY },
    );
  });
});
