import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InvitationRecord, PatientRecord } from '../../shared/domain/patient';
import { LocalInvitationEntity, LocalPatientEntity, OutboxEntity } from './entities';
import { mariaForm, signInOffline, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';
import { Outbox } from './outbox';
import { applyChanges, clearReplicaForReset, rollBackRejected } from './replicaApply';

let core: TestCore;
const outbox = new Outbox();

beforeEach(async () => {
  core = await startTestCore();
  await signInOffline(core);
});
afterEach(async () => {
  await core.dispose();
});

const serverPatient = (id: string, over: Partial<PatientRecord> = {}): PatientRecord => ({
  id,
  givenName: 'Maria',
  familyName: 'Lopez',
  dateOfBirth: '1986-04-12',
  email: 'maria.lopez@example.com',
  phone: null,
  version: 1,
  updatedAt: '2025-01-01T00:00:00.000Z',
  ...over,
});
const serverInvitation = (id: string, patientId: string, over: Partial<InvitationRecord> = {}): InvitationRecord => ({
  id,
  patientId,
  status: 'sent',
  statusChangedAt: '2025-01-01T00:00:00.000Z',
  sentAt: '2025-01-01T00:00:01.000Z',
  expiresAt: '2025-01-15T00:00:00.000Z',
  lastError: null,
  deliveryState: 'emailed',
  version: 1,
  ...over,
});

describe('applying pulled changes', () => {
  it('does not let a pull overwrite a local change that is not pushed yet', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), true);
    const id = item.patient.id;
    const invitationId = item.invitation?.id ?? '';
    await core.db.write((m) =>
      applyChanges(m, outbox, [
        { table: 'patient', seq: 1, op: 'upsert', row: serverPatient(id, { givenName: 'Server' }) },
        { table: 'invitation', seq: 2, op: 'upsert', row: serverInvitation(invitationId, id) },
      ]),
    );
    const after = await core.services.patients.get(id);
    expect(after.patient.givenName).toBe('Maria');
    expect(after.invitation?.status).toBe('queued');
    // The server's copy is kept beside the local row for a rollback.
    const row = await core.db.read((m) => m.findOneBy(LocalInvitationEntity, { id: invitationId }));
    expect(JSON.parse(row?.serverCopy ?? '{}')).toMatchObject({ status: 'sent' });
  });

  it('takes the server row once the local change is settled, and applies deletes', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), true);
    await core.db.write((m) => m.update(OutboxEntity, { seq: 1 }, { status: 'applied' }));
    await core.db.write((m) =>
      applyChanges(m, outbox, [
        { table: 'patient', seq: 1, op: 'upsert', row: serverPatient(item.patient.id, { phone: '555-0100' }) },
        { table: 'invitation', seq: 2, op: 'upsert', row: serverInvitation(item.invitation?.id ?? '', item.patient.id) },
      ]),
    );
    const after = await core.services.patients.get(item.patient.id);
    expect(after.patient).toMatchObject({ version: 1, phone: '555-0100' });
    expect(after.invitation?.status).toBe('sent');
    expect((await core.services.patients.list('maria')).length).toBe(1);

    await core.db.write((m) => applyChanges(m, outbox, [{ table: 'invitation', seq: 3, op: 'delete', id: item.invitation?.id ?? '' }]));
    expect((await core.services.patients.get(item.patient.id)).invitation).toBeNull();
  });

  it('on a new server epoch drops pulled rows but keeps rows with unsent changes', async () => {
    const local = await core.services.patients.preRegister(mariaForm(), true);
    await core.db.write((m) => applyChanges(m, outbox, [{ table: 'patient', seq: 1, op: 'upsert', row: serverPatient('33333333-3333-4333-8333-333333333333', { givenName: 'Pulled' }) }]));
    expect(await core.db.read((m) => m.count(LocalPatientEntity))).toBe(2);
    await core.db.write((m) => clearReplicaForReset(m, outbox));
    const left = await core.services.patients.list('');
    expect(left.map((i) => i.patient.id)).toEqual([local.patient.id]);
    expect(left[0]?.invitation?.status).toBe('queued');
    expect(await core.db.read((m) => m.count(OutboxEntity))).toBe(1);
  });

  it('rolls a rejected change back: to the server copy, or away if the server never had the row', async () => {
    await core.services.patients.preRegister(mariaForm(), true);
    await core.db.write(async (m) => {
      await m.update(OutboxEntity, { seq: 1 }, { status: 'rejected', error: 'No.' });
      const rejected = await m.findBy(OutboxEntity, { seq: 1 });
      return rollBackRejected(m, outbox, rejected);
    });
    expect(await core.db.read((m) => m.count(LocalPatientEntity))).toBe(0);
    expect(await core.db.read((m) => m.count(LocalInvitationEntity))).toBe(0);
    expect((await core.engine.status()).rejected).toEqual([expect.objectContaining({ seq: 1, description: 'Pre-register Maria Lopez', reason: 'No.' })]);
  });
});
