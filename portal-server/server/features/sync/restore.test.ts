/** The protocol pieces for a server restored from a backup: cursor fingerprints and Mutation.prevSeq. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import { AuditEventEntity } from '../../../../shared/node/entities/server';
import type { Mutation, PullResponse } from '../../../../shared/sync/protocol';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, TestConsole, addStaff, api, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';
import { fingerprint } from './changeLog';

let portal: TestPortal;
let deskToken: string;

beforeAll(async () => {
  portal = await startTestPortal();
  const adminToken = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  deskToken = await addStaff(portal.url, adminToken, 'desk3', 'receptionist');
});
afterAll(async () => {
  await portal.stop();
});

function patient(desk: TestConsole, name: string): Mutation<'preRegisterPatient'> {
  return desk.mutation('preRegisterPatient', { patientId: randomUUID(), givenName: name, familyName: 'Skip', dateOfBirth: '1990-05-05', email: `${name.toLowerCase()}@example.com`, phone: '', invitationId: null });
}

const pull = (query: string) => api<PullResponse & ApiErrorResponse>(portal.url, `/api/sync/pull?${query}`, { token: deskToken });

describe('Mutation.prevSeq', () => {
  it('passes a gap the console says will never be filled, audits it, and applies the change', async () => {
    const desk = new TestConsole(portal.url, deskToken);
    expect((await desk.push([patient(desk, 'First')])).body.lastSeq).toBe(1);
    patient(desk, 'Never2');
    patient(desk, 'Never3');
    const fourth = patient(desk, 'Fourth');
    // Without prevSeq the server waits at the gap.
    expect((await desk.push([fourth])).body).toEqual({ lastSeq: 1, outcomes: [], serverTime: expect.any(String) });
    // prevSeq above what the server holds: still a gap (it would skip changes it may yet get).
    expect((await desk.push([{ ...fourth, prevSeq: 2 }])).body).toEqual({ lastSeq: 1, outcomes: [], serverTime: expect.any(String) });
    expect((await desk.push([{ ...fourth, prevSeq: 1 }])).body).toEqual({ lastSeq: 4, outcomes: [{ seq: 4, status: 'applied' }], serverTime: expect.any(String) });
    const skipped = await portal.handle.context.db.read((m) => m.findBy(AuditEventEntity, { action: 'sync.skipped', entityId: desk.clientId }));
    expect(skipped.map((e) => e.detail)).toEqual(['seqs=2-3']);
  });

  it('refuses an impossible prevSeq and writes nothing', async () => {
    const desk = new TestConsole(portal.url, deskToken);
    const first = patient(desk, 'Bad');
    for (const prevSeq of [1, 5, -1, 0.5]) {
      const res = await desk.push([{ ...first, prevSeq }]);
      expect(res.status).toBe(400);
      expect((res.body as unknown as ApiErrorResponse).error.code).toBe('validation_failed');
    }
    expect((await desk.push([])).body.lastSeq).toBe(0);
  });
});

describe('SyncCursor.check', () => {
  it('comes with every cursor past 0; a matching one pulls on, another one or a malformed one does not', async () => {
    const desk = new TestConsole(portal.url, deskToken);
    await desk.push([patient(desk, 'Cursor')]);
    const first = await pull('epoch=&seq=0&limit=1');
    const { epoch, seq, check } = first.body.cursor;
    expect(check).toMatch(/^[0-9a-f]{16}$/);
    expect((await pull(`epoch=${epoch}&seq=${seq}&check=${check}&limit=1`)).body).toMatchObject({ reset: false, cursor: { seq: seq + 1 } });
    // Same epoch and seq, another history (a restored server): start again.
    const other = await pull(`epoch=${epoch}&seq=${seq}&check=0123456789abcdef&limit=1`);
    expect(other.body).toMatchObject({ reset: true, cursor: { seq: 1 } });
    expect(other.body.changes[0]?.seq).toBe(1);
    const malformed = await pull(`epoch=${epoch}&seq=${seq}&check=not-hex`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('validation_failed');
  });
  it('tells apart two desks’ edits of one row that reach the same version (a restore can put either at a seq)', () => {
    const entry = { tableName: 'patient', rowId: randomUUID(), version: 4, op: 'upsert' as const, clientId: randomUUID() };
    expect(fingerprint({ ...entry })).toBe(fingerprint(entry));
    expect(fingerprint({ ...entry, clientId: randomUUID() })).not.toBe(fingerprint(entry));
    expect(fingerprint({ ...entry, clientId: null })).not.toBe(fingerprint(entry));
    expect(fingerprint({ ...entry, version: 5 })).not.toBe(fingerprint(entry));
  });
});
