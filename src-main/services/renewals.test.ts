import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainError } from '../../shared/api/errors';
import { ReplicaRowEntity } from '../replica/entities';
import { PATIENT_ID, argsOf, entryRow, outboxRows, pullInto, refuse, renewalRow, seedClinic, upserts } from '../testRows';
import { TEST_PHYSICIAN, signInOffline, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

let core: TestCore;
const medication = entryRow('medication', { refillsLeft: 1 });
const waiting = renewalRow(medication.id, { requestedAt: '2026-11-20T10:00:00.000Z' });
const older = renewalRow(medication.id, { requestedAt: '2026-11-18T10:00:00.000Z' });
const decided = renewalRow(medication.id, { status: 'denied', decisionNote: 'See me first.', decidedById: TEST_PHYSICIAN.id, requestedAt: '2026-11-01T10:00:00.000Z' });

beforeEach(async () => {
  core = await startTestCore();
  await seedClinic(core);
  await pullInto(core, [...upserts('medication', [medication]), ...upserts('renewal', [waiting, older, decided])]);
});
afterEach(async () => {
  await core.dispose();
});

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as DomainError);
const rows = () => core.db.read((m) => m.find(ReplicaRowEntity, { order: { id: 'ASC' } }));
const refills = async () => (await core.services.record.get(PATIENT_ID)).medication[0]?.refillsLeft;

describe('the renewal queue', () => {
  it('is readable by a receptionist: waiting requests oldest first, then decided ones', async () => {
    await signInOffline(core);
    expect((await core.services.renewals.queue('requested')).map((i) => i.row.id)).toEqual([older.id, waiting.id]);
    const all = await core.services.renewals.queue('all');
    expect(all.map((i) => i.row.id)).toEqual([older.id, waiting.id, decided.id]);
    expect(all[2]).toMatchObject({ decidedByName: 'Dr. Sam Patel', patientName: 'Maria Lopez' });
    expect(await core.services.overview.counts()).toMatchObject({ renewalRequests: 2 });
  });

  it('refuses a receptionist’s decision and writes nothing', async () => {
    await signInOffline(core);
    const before = await rows();
    const err = await failure(core.services.renewals.decide({ renewalId: waiting.id, decision: 'approved', note: '', refillsGranted: 2 }));
    expect(err).toMatchObject({ code: 'forbidden', message: 'Only a physician can approve or deny a renewal.' });
    expect(await outboxRows(core)).toEqual([]);
    expect(await rows()).toEqual(before);
  });
});

describe('a physician deciding offline', () => {
  beforeEach(async () => {
    await signInOffline(core, undefined, TEST_PHYSICIAN);
  });

  it('approves: shown at once with the new refills, one decideRenewal waiting to send', async () => {
    const item = await core.services.renewals.decide({ renewalId: waiting.id, decision: 'approved', note: '', refillsGranted: 2 });
    expect(item).toMatchObject({ row: { status: 'approved', decidedById: TEST_PHYSICIAN.id }, pendingChanges: 1 });
    expect(await refills()).toBe(3);
    const [entry] = await outboxRows(core);
    expect(argsOf(entry, 'decideRenewal')).toEqual({ renewalId: waiting.id, decision: 'approved', note: '', refillsGranted: 2, baseVersion: 1 });
    expect(entry?.description).toBe('Approve the renewal of Lisinopril for Maria Lopez');
    expect(await core.services.overview.counts()).toMatchObject({ renewalRequests: 1 });
  });

  it('a denial needs a reason; a decided request cannot be decided again; neither writes anything', async () => {
    const before = await rows();
    const noReason = await failure(core.services.renewals.decide({ renewalId: waiting.id, decision: 'denied', note: ' ', refillsGranted: null }));
    expect(noReason).toMatchObject({ code: 'validation_failed', fields: { note: 'Say why, so the patient knows what to do next.' } });
    const again = await failure(core.services.renewals.decide({ renewalId: decided.id, decision: 'approved', note: '', refillsGranted: null }));
    expect(again).toMatchObject({ code: 'conflict', message: 'This renewal was already denied. Reload the list.' });
    expect(await outboxRows(core)).toEqual([]);
    expect(await rows()).toEqual(before);
  });

  it('a refused approval rolls back both the request and the refills', async () => {
    await core.services.renewals.decide({ renewalId: waiting.id, decision: 'approved', note: '', refillsGranted: null });
    expect(await refills()).toBe(2);
    await refuse(core, 1, 'This renewal was already decided at another desk.');
    expect(await refills()).toBe(1);
    expect((await core.services.renewals.queue('requested')).map((i) => i.row.id)).toContain(waiting.id);
    expect((await core.engine.status()).rejected[0]).toMatchObject({ description: 'Approve the renewal of Lisinopril for Maria Lopez', reason: 'This renewal was already decided at another desk.' });
  });
});
