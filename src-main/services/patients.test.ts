import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/api/errors';
import { LocalInvitationEntity, LocalPatientEntity, OutboxEntity } from '../replica/entities';
import { Outbox } from '../replica/outbox';
import { mariaForm, signInOffline, startTestCore } from '../testSupport';
import { PatientService } from './patients';
import type { TestCore } from '../testSupport';

let core: TestCore;

beforeEach(async () => {
  core = await startTestCore();
  await signInOffline(core);
});
afterEach(async () => {
  await core.dispose();
});

const counts = () =>
  core.db.read(async (m) => ({
    patients: await m.count(LocalPatientEntity),
    invitations: await m.count(LocalInvitationEntity),
    outbox: await m.count(OutboxEntity),
  }));

describe('patients.preRegister (offline)', () => {
  it('writes the patient, a queued invitation and one outbox entry together', async () => {
    const item = await core.services.patients.preRegister(mariaForm({ phone: '555-0100' }), true);
    expect(item.patient).toMatchObject({ givenName: 'Maria', familyName: 'Lopez', dateOfBirth: '1986-04-12', email: 'maria.lopez@example.com', phone: '555-0100', version: 0 });
    expect(item.invitation?.status).toBe('queued');
    expect(item.pendingChanges).toBe(1);
    expect(await counts()).toEqual({ patients: 1, invitations: 1, outbox: 1 });
    const [entry] = await core.db.read((m) => m.find(OutboxEntity));
    expect(entry).toMatchObject({ seq: 1, name: 'preRegisterPatient', status: 'pending', staffUserId: '11111111-1111-4111-8111-111111111111', description: 'Pre-register Maria Lopez' });
    expect(JSON.parse(entry?.args ?? '{}')).toEqual({
      patientId: item.patient.id,
      givenName: 'Maria',
      familyName: 'Lopez',
      dateOfBirth: '1986-04-12',
      email: 'maria.lopez@example.com',
      phone: '555-0100',
      language: null,
      invitationId: item.invitation?.id,
    });
    expect((await core.engine.status()).pending).toBe(1);
  });

  it('is all or nothing: when the outbox write fails, no patient or invitation row stays', async () => {
    class BrokenOutbox extends Outbox {
      override append(): Promise<number> {
        return Promise.reject(new Error('disk full'));
      }
    }
    const patients = new PatientService({ db: core.db, outbox: new BrokenOutbox(), session: core.session, onLocalWrite: () => undefined, now: () => new Date() });
    await expect(patients.preRegister(mariaForm(), true)).rejects.toThrow('disk full');
    expect(await counts()).toEqual({ patients: 0, invitations: 0, outbox: 0 });
  });

  it('without an invitation sends invitationId null', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), false);
    expect(item.invitation).toBeNull();
    const [entry] = await core.db.read((m) => m.find(OutboxEntity));
    expect(JSON.parse(entry?.args ?? '{}').invitationId).toBeNull();
    expect(await counts()).toEqual({ patients: 1, invitations: 0, outbox: 1 });
  });

  it('refuses a bad form with every field message and writes nothing', async () => {
    const err = await core.services.patients
      .preRegister(mariaForm({ givenName: '  ', dateOfBirth: '02/30/2000', email: 'not-an-email' }), true)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('validation_failed');
    expect(Object.keys((err as DomainError).fields ?? {}).sort()).toEqual(['dateOfBirth', 'email', 'givenName']);
    expect(await counts()).toEqual({ patients: 0, invitations: 0, outbox: 0 });
  });

  it('refuses a date of birth in the future (in the clinic time zone)', async () => {
    const err = (await core.services.patients.preRegister(mariaForm({ dateOfBirth: '01/01/2999' }), false).catch((e: unknown) => e)) as DomainError;
    expect(err.fields?.dateOfBirth).toBe('The date of birth must be in the past.');
    expect(await counts()).toEqual({ patients: 0, invitations: 0, outbox: 0 });
  });

  it('needs a signed-in staff member', async () => {
    await core.session.forget();
    const err = (await core.services.patients.preRegister(mariaForm(), true).catch((e: unknown) => e)) as DomainError;
    expect(err.code).toBe('not_signed_in');
    expect(await counts()).toEqual({ patients: 0, invitations: 0, outbox: 0 });
  });

  it('gives outbox entries contiguous seqs', async () => {
    await core.services.patients.preRegister(mariaForm(), true);
    await core.services.patients.preRegister(mariaForm({ givenName: 'Ana', email: 'ana@example.com' }), false);
    const seqs = await core.db.read(async (m) => (await m.find(OutboxEntity, { order: { seq: 'ASC' } })).map((e) => e.seq));
    expect(seqs).toEqual([1, 2]);
  });
});

describe('patients.list and patients.findDuplicates', () => {
  beforeEach(async () => {
    await core.services.patients.preRegister(mariaForm(), true);
    await core.services.patients.preRegister(mariaForm({ givenName: 'José', familyName: 'Núñez', dateOfBirth: '7/4/1990', email: 'jose@example.org' }), false);
    await core.services.patients.preRegister(mariaForm({ givenName: 'Mario', familyName: 'Lopes', dateOfBirth: '12/01/1975', email: 'MARIO@Example.com' }), false);
  });

  const names = async (query: string) => (await core.services.patients.list(query)).map((i) => i.patient.givenName);

  it('finds by name parts in any case and order, ignoring accents', async () => {
    expect(await names('lopez maria')).toEqual(['Maria']);
    expect(await names('MARI')).toEqual(['Mario', 'Maria']);
    expect(await names('jose nunez')).toEqual(['José']);
    expect(await names('Lopez, Maria')).toEqual(['Maria']);
    expect(await names('nobody')).toEqual([]);
  });

  it('finds by date of birth typed mm/dd/yyyy (with or without zeros) or yyyy-mm-dd', async () => {
    expect(await names('04/12/1986')).toEqual(['Maria']);
    expect(await names('4/12/1986')).toEqual(['Maria']);
    expect(await names('1990-07-04')).toEqual(['José']);
    expect(await names('07/04/1990 jose')).toEqual(['José']);
    expect(await names('07/04/1990 maria')).toEqual([]);
  });

  it('finds by email, case-insensitive', async () => {
    expect(await names('mario@example.com')).toEqual(['Mario']);
    expect(await names('JOSE@EXAMPLE.ORG')).toEqual(['José']);
  });

  it('treats % and _ as plain characters', async () => {
    expect(await names('%')).toEqual([]);
    expect(await names('_')).toEqual([]);
  });

  it('lists everyone for an empty query, with latest invitation and pending count', async () => {
    const items = await core.services.patients.list('');
    expect(items.map((i) => i.patient.familyName)).toEqual(['Lopes', 'Lopez', 'Núñez']);
    const maria = items.find((i) => i.patient.givenName === 'Maria');
    expect(maria?.invitation?.status).toBe('queued');
    expect(maria?.pendingChanges).toBe(1);
    expect(items.find((i) => i.patient.givenName === 'José')?.invitation).toBeNull();
  });

  it('warns about the same name and date of birth, case-insensitive', async () => {
    const matches = await core.services.patients.findDuplicates({ givenName: 'MARIA', familyName: 'lopez', dateOfBirth: '04/12/1986', email: 'other@example.com' });
    expect(matches).toEqual([expect.objectContaining({ name: 'Maria Lopez', dateOfBirth: '1986-04-12', reason: 'same name and date of birth' })]);
  });

  it('warns about the same email, case-insensitive, and can leave out the patient being edited', async () => {
    const matches = await core.services.patients.findDuplicates({ givenName: 'Someone', familyName: 'Else', dateOfBirth: '01/01/2000', email: 'mario@EXAMPLE.com' });
    expect(matches).toEqual([expect.objectContaining({ name: 'Mario Lopes', reason: 'same email' })]);
    const excluded = await core.services.patients.findDuplicates({ ...{ givenName: 'X', familyName: 'Y', dateOfBirth: '', email: 'mario@example.com' }, excludePatientId: matches[0]?.patientId });
    expect(excluded).toEqual([]);
  });

  it('does not warn for a different date of birth', async () => {
    expect(await core.services.patients.findDuplicates({ givenName: 'Maria', familyName: 'Lopez', dateOfBirth: '04/13/1986', email: 'x@example.com' })).toEqual([]);
  });
});
