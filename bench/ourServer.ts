/**
 * Our side's server for the benchmark: the real portal server (startPortalServer) in its own Node
 * process on 127.0.0.1, port 0, with a temp data folder. Driven over IPC by bench/sync.ts.
 *
 * Seeding writes patient and appointment rows plus their change-log entries straight into SQLite
 * in a few big transactions (the same rows and log the services would write, without a push per
 * record), so setting up 100,000 records takes seconds; the console pulls them like any others.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityManager } from 'typeorm';
import { startPortalServer } from '../portal-server/server/index';
import type { PortalHandle } from '../portal-server/server/index';
import { TEST_CLINIC } from '../test/fixtures/portal';
import { PATIENT_PREFIX, appointmentRecord, benchId } from './records';

export interface SeedRequest {
  id: number;
  op: 'seed';
  /** Patients the appointments belong to (ids 0..patients-1; existing ones are left alone). */
  patients: number;
  appointments: number;
  /** Tells this seed's appointment ids apart from earlier seeds'. */
  batch: number;
  physicianId: string;
  /** Poke connected consoles afterwards. */
  poke: boolean;
}
export type ServerRequest = SeedRequest | { id: number; op: 'stop' };

const CHUNK = 500;

async function insertMany(m: EntityManager, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const tuple = `(${columns.map(() => '?').join(',')})`;
    await m.query(`INSERT OR IGNORE INTO ${table} (${columns.join(',')}) VALUES ${chunk.map(() => tuple).join(',')}`, chunk.flat());
  }
}

async function seed(handle: PortalHandle, r: SeedRequest): Promise<number> {
  const db = handle.context.db;
  const head = await db.write(async (m) => {
    const [{ id: clinicId }] = (await m.query('SELECT id FROM clinic LIMIT 1')) as [{ id: string }];
    const now = new Date().toISOString();
    const [{ seq: start }] = (await m.query('SELECT seq FROM sync_counter WHERE id = 1')) as [{ seq: number }];
    const existing = new Set(((await m.query('SELECT id FROM patient')) as { id: string }[]).map((p) => p.id));
    const patients = Array.from({ length: r.patients }, (_, i) => benchId(PATIENT_PREFIX, i)).filter((id) => !existing.has(id));
    await insertMany(
      m,
      'patient',
      ['id', 'clinicId', 'givenName', 'familyName', 'dateOfBirth', 'email', 'phone', 'version', 'createdAt', 'updatedAt', 'deletedAt'],
      patients.map((id, i) => [id, clinicId, `Given${i}`, `Family${i}`, '1980-01-01', `patient${i}@example.com`, '', 1, now, now, null]),
    );
    const appointments = Array.from({ length: r.appointments }, (_, i) => appointmentRecord(i, r.patients, r.physicianId, r.batch));
    await insertMany(
      m,
      'appointment',
      ['id', 'clinicId', 'version', 'createdAt', 'updatedAt', 'deletedAt', 'patientId', 'physicianId', 'preferredPhysicianId', 'reason', 'preferredTimes', 'startAt', 'endAt', 'status', 'staffNote', 'cancelledBy', 'requestedAt'],
      appointments.map((a) => [a.id, clinicId, a.version, a.requestedAt, a.updatedAt, null, a.patientId, a.physicianId, a.preferredPhysicianId, a.reason, a.preferredTimes, a.start, a.end, a.status, a.staffNote, a.cancelledBy, a.requestedAt]),
    );
    const log = [...patients.map((id) => ['patient', id]), ...appointments.map((a) => ['appointment', a.id])];
    await insertMany(
      m,
      'change_log',
      ['seq', 'tableName', 'rowId', 'version', 'op', 'clientId'],
      log.map(([table, id], i) => [start + i + 1, table, id, 1, 'upsert', null]),
    );
    await m.query('UPDATE sync_counter SET seq = ? WHERE id = 1', [start + log.length]);
    return start + log.length;
  });
  if (r.poke) {
    handle.context.changes.poke();
  }
  return head;
}

async function main(): Promise<void> {
  // Inside the benchmark's temp folder, which bench/sync.ts removes even when this process is killed.
  const dataDir = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'portal-'));
  const handle = await startPortalServer({ dataDir, port: 0, host: '127.0.0.1', logRequests: false }, () => undefined);
  await handle.setupClinic(TEST_CLINIC);
  const stop = async (): Promise<void> => {
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
  process.on('message', (msg: ServerRequest) => {
    const work = msg.op === 'seed' ? seed(handle, msg) : stop().then(() => 0);
    work.then(
      (result) => process.send?.({ id: msg.id, result }, () => msg.op === 'stop' && process.exit(0)),
      (err: unknown) => process.send?.({ id: msg.id, error: String(err instanceof Error ? err.stack : err) }),
    );
  });
  process.send?.({ ready: handle.url });
}

void main();
