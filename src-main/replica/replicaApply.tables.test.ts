import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYNCED_TABLES } from '../../shared/sync/protocol';
import type { ChangeRecord, PullResponse, PushResponse, SyncedRows } from '../../shared/sync/protocol';
import { ReplicaRowEntity } from './entities';
import type { GenericTable } from './entities';
import { getCursor } from './syncState';
import { DIRECTORY, PATIENT_ID, appointmentRow, argsOf, entryRow, messageRow, outboxRows, pullInto, renewalRow, seedClinic, staffRow, testId, threadRow, upserts } from '../testRows';
import { TEST_CLINIC_VIEW, TEST_PHYSICIAN, signInOffline, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';
import { clearReplicaForReset } from './replicaApply';
import { pullChanges, pushOutbox } from '../sync/transfer';
import type { TransferContext } from '../sync/transfer';

let core: TestCore;
beforeEach(async () => {
  core = await startTestCore({ now: () => new Date('2026-11-25T16:00:00.000Z') });
  await signInOffline(core, undefined, TEST_PHYSICIAN);
  await seedClinic(core);
});
afterEach(async () => {
  await core.dispose();
});

const THREAD_ID = testId();
/** One server row per generic table, with the owner ids the replica indexes. */
const sample: { [T in GenericTable]: () => SyncedRows[T] } = {
  staff: () => staffRow({ id: testId(), displayName: 'Dr. New' }),
  appointment: () => appointmentRow(),
  renewal: () => renewalRow(testId()),
  thread: () => threadRow({ id: THREAD_ID }),
  message: () => messageRow(THREAD_ID),
  problem: () => entryRow('problem'),
  medication: () => entryRow('medication'),
  allergy: () => entryRow('allergy'),
  immunization: () => entryRow('immunization'),
  labResult: () => entryRow('labResult'),
  visitSummary: () => entryRow('visitSummary'),
};
const GENERIC = SYNCED_TABLES.filter((t): t is GenericTable => t !== 'patient' && t !== 'invitation');
const stored = (table: GenericTable, id: string) => core.db.read((m) => m.findOneBy(ReplicaRowEntity, { tableName: table, id }));

describe('pulled rows of every protocol v2 table', () => {
  it('covers every synced table besides patient and invitation', () => {
    expect(Object.keys(sample).sort()).toEqual([...GENERIC].sort());
  });

  it.each(GENERIC)('%s: inserted, replaced by a newer version, removed by a tombstone', async (table) => {
    const row = sample[table]();
    await pullInto(core, upserts(table, [row]));
    const first = await stored(table, row.id);
    expect(first).toMatchObject({ version: 1, serverCopy: null, deletedLocally: false, patientId: table === 'staff' ? null : PATIENT_ID, parentId: table === 'message' ? THREAD_ID : null });
    expect(JSON.parse(first?.data ?? '{}')).toEqual(row);
    await pullInto(core, upserts(table, [{ ...row, version: 2 }]));
    expect((await stored(table, row.id))?.version).toBe(2);
    await pullInto(core, [{ table, seq: 99, op: 'delete', id: row.id }]);
    expect(await stored(table, row.id)).toBeNull();
  });

  it('ignores a table this console does not know', async () => {
    await pullInto(core, [{ table: 'invoice', seq: 1, op: 'upsert', row: { id: testId() } } as unknown as ChangeRecord]);
    expect(await core.db.read((m) => m.countBy(ReplicaRowEntity, { tableName: 'invoice' as GenericTable }))).toBe(0);
  });

  it('keeps a local change that waits to be sent, and the newer server copy beside it', async () => {
    const request = appointmentRow();
    await pullInto(core, upserts('appointment', [request]));
    await core.services.appointments.decline(request.id, 'Please call us.');
    await pullInto(core, upserts('appointment', [{ ...request, preferredTimes: 'Any time', version: 2 }]));
    const row = await stored('appointment', request.id);
    expect(JSON.parse(row?.data ?? '{}')).toMatchObject({ status: 'declined', version: 1 });
    expect(JSON.parse(row?.serverCopy ?? '{}')).toMatchObject({ status: 'requested', preferredTimes: 'Any time', version: 2 });
  });

  it('on a new server epoch keeps only rows with unsent changes, in every table', async () => {
    const keep = appointmentRow();
    const drop = appointmentRow();
    const allergy = entryRow('allergy');
    await pullInto(core, [...upserts('appointment', [keep, drop]), ...upserts('allergy', [allergy, entryRow('allergy')]), ...upserts('thread', [threadRow()])]);
    await core.services.appointments.decline(keep.id, 'Please call us.');
    await core.services.record.save({ kind: 'allergy', patientId: PATIENT_ID, entryId: allergy.id, fields: { substance: 'Penicillin', reaction: 'Rash', severity: 'mild' } });
    await core.db.write((m) => clearReplicaForReset(m, core.outbox));
    const left = await core.db.read((m) => m.find(ReplicaRowEntity, { order: { tableName: 'ASC' } }));
    expect(left.map((r) => [r.tableName, r.id, r.serverCopy])).toEqual([
      ['allergy', allergy.id, null],
      ['appointment', keep.id, null],
    ]);
  });

  it('signing in to another clinic’s server drops every replica row', async () => {
    await pullInto(core, upserts('appointment', [appointmentRow()]));
    await core.session.remember({ token: 'other-clinic-token-0123456789', deviceId: 'd2', staff: TEST_PHYSICIAN, clinic: { ...TEST_CLINIC_VIEW, id: testId() } }, 'http://127.0.0.1:9');
    expect(await core.db.read((m) => m.count(ReplicaRowEntity))).toBe(0);
  });
});

/** A TransferContext whose server is a function. */
function transfer(answer: (path: string, body: unknown) => unknown): TransferContext {
  return {
    db: core.db,
    outbox: core.outbox,
    serverUrl: 'http://127.0.0.1:9',
    token: 't',
    signal: new AbortController().signal,
    now: () => new Date(),
    changed: () => undefined,
    fetch: (input, init) => Promise.resolve(Response.json(answer(String(input), init?.body ? JSON.parse(String(init.body)) : null))),
  };
}

describe('pull pages and push outcomes', () => {
  it('applies a page all or nothing: a broken row leaves the replica and the cursor as they were', async () => {
    const good = appointmentRow();
    const page: PullResponse = {
      changes: [...upserts('appointment', [good]), { table: 'renewal', seq: 5, op: 'upsert', row: { ...renewalRow(testId()), id: null as unknown as string } }],
      cursor: { epoch: 'e1', seq: 5 },
      more: false,
      reset: false,
      head: 5,
    };
    await expect(pullChanges(transfer(() => page), 100)).rejects.toThrow();
    expect(await stored('appointment', good.id)).toBeNull();
    expect(await core.db.read(getCursor)).toEqual({ epoch: '', seq: 0 });
    expect(await core.db.read((m) => m.countBy(ReplicaRowEntity, { tableName: 'staff' }))).toBe(DIRECTORY.length);
  });

  it('builds later changes on the version last pulled, also after an earlier one was applied but not yet pulled back', async () => {
    const request = appointmentRow({ version: 4 });
    await pullInto(core, upserts('appointment', [request]));
    await core.services.appointments.book({ physicianId: TEST_PHYSICIAN.id, start: '2026-12-01T15:30:00.000Z', durationMinutes: 30, appointmentId: request.id });
    const response: PushResponse = { lastSeq: 1, outcomes: [{ seq: 1, status: 'applied' }] };
    await pushOutbox(transfer(() => response), 'client', 10, () => Promise.resolve(), { tokenFor: (id) => core.session.tokenFor(id), dropHeld: () => Promise.resolve(), held: () => Promise.resolve([]) });
    await core.services.appointments.cancel(request.id, 'Sorry, the doctor is ill.');
    expect(argsOf((await outboxRows(core))[1], 'cancelAppointment').baseVersion).toBe(4);
    // A row made here is built on the version the server gives it when it is created.
    const made = await core.services.record.save({ kind: 'problem', patientId: PATIENT_ID, entryId: null, fields: { name: 'Asthma', status: 'active', onsetDate: null, note: '' } });
    await core.services.record.remove({ kind: 'problem', entryId: made.problem[0]?.id ?? '' });
    expect(argsOf((await outboxRows(core))[3], 'deleteRecordEntry').baseVersion).toBe(1);
  });
});
