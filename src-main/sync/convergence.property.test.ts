/**
 * Property: whatever three consoles do offline, in whatever order they sync, once all of them have
 * synced until nothing waits, their replicas equal each other and the server's data, every outbox
 * entry was settled once (applied or refused), and nothing was applied twice. Real portal server
 * on 127.0.0.1, real console cores with their own SQLite files. fast-check prints the seed and the
 * shrunk steps of a failing run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/api/errors';
import type { RecordBundle } from '../../shared/domain/record';
import { ClientMutationEntity, MutationRejectionEntity } from '../../shared/node/entities/server';
import type { MutationArgs } from '../../shared/sync/protocol';
import { formatUsDate } from '../../shared/time/dateOnly';
import { pendingCount, replicaSnapshot, serverSnapshotVia, snapshotSizes } from '../../test/fixtures/convergence';
import type { SyncSnapshot } from '../../test/fixtures/convergence';
import type { ClinicTeam } from '../../test/fixtures/patients';
import { clinicTeam, futureSlot } from '../../test/fixtures/patients';
import type { TestPortal } from '../../test/fixtures/portal';
import { startTestPortal } from '../../test/fixtures/portal';
import { OutboxEntity } from '../replica/entities';
import type { OutboxRow } from '../replica/entities';
import { ensureClientId } from '../replica/syncState';
import { startSignedInCore } from '../testSupport';
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
  | { t: 'recordEntry'; c: number; p: number; pick: number; field: 'note' | 'status'; v: number };

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
);

let portal: TestPortal;
let team: ClinicTeam;
let adminToken: string;
let run = 0;

/** A fresh server per run (so a failing seed replays alone), with three physicians: every step is open to each. */
async function startWorldServer(): Promise<void> {
  portal = await startTestPortal();
  team = await clinicTeam(portal);
  await team.add('drkim', 'Dr. Kim', 'physician');
  await team.add('drlee', 'Dr. Lee', 'physician');
  adminToken = team.admin.console.token;
}

/** One sync point: this console goes online, syncs once, and goes offline again. */
async function syncOnce(core: TestCore): Promise<void> {
  core.engine.start();
  await core.engine.syncNow();
  await core.engine.stop();
}

/** What the consoles of one run share: its patients and the ids of what they made. */
interface World {
  cores: TestCore[];
  patients: string[];
  appointments: string[];
  threads: string[];
  entries: Map<string, string[]>;
}

async function perform(w: World, step: Step): Promise<void> {
  const core = w.cores[step.c] as TestCore;
  const s = core.services;
  switch (step.t) {
    case 'sync':
      return syncOnce(core);
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

/** Every console syncs in turn until nothing waits anywhere, then once more so each pulls the last pushes. */
async function settle(cores: TestCore[]): Promise<void> {
  for (let round = 0; round < 20; round += 1) {
    for (const core of cores) {
      await syncOnce(core);
    }
    const waiting = await Promise.all(cores.map((c) => pendingCount(c.db)));
    if (waiting.every((n) => n === 0)) {
      for (const core of cores) {
        await syncOnce(core);
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
    expect(onServer.rejected, `console ${i}: refusals agree`).toEqual(rows.filter((r) => r.status === 'rejected').map((r) => r.seq));
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
  it('random offline edits and sync points on three consoles converge to the server’s data', { timeout: 170_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 25 }), async (steps) => {
        run += 1;
        await startWorldServer();
        const cores: TestCore[] = [];
        try {
          const patients: string[] = [];
          for (const p of [0, 1]) {
            const made = await team.desk.console.preRegister({ givenName: `Run${run}`, familyName: FAMILY_NAMES[0], email: `p${p}.run${run}@example.com`, phone: PHONES[0] });
            expect(made.response.outcomes[0]?.status).toBe('applied');
            patients.push(made.patientId);
          }
          for (const username of PHYSICIANS) {
            const core = await startSignedInCore(portal.url, username, 'Staff2Work');
            cores.push(core);
            await core.engine.stop();
          }
          const w: World = { cores, patients, appointments: [], threads: [], entries: new Map() };
          for (const step of steps) {
            await performTolerant(w, step);
          }
          await settle(cores);
          await checkConverged(w);
        } finally {
          await Promise.all(cores.map((c) => c.dispose()));
          await portal.stop();
        }
      }),
      { numRuns: 12, endOnFailure: true },
    );
  });
});
