import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainError } from '../../shared/api/errors';
import type { MutationArgs } from '../../shared/sync/protocol';
import { LocalInvitationEntity, LocalPatientEntity, OutboxEntity } from '../replica/entities';
import { mariaForm, signInOffline, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

let core: TestCore;

beforeEach(async () => {
  core = await startTestCore();
  await signInOffline(core);
});
afterEach(async () => {
  await core.dispose();
});

const outbox = () => core.db.read((m) => m.find(OutboxEntity, { order: { seq: 'ASC' } }));
const argsOf = <N extends keyof MutationArgs>(row: { args: string } | undefined) => JSON.parse(row?.args ?? '{}') as MutationArgs[N];

/** As if the entries had been pushed and accepted, and the patient pulled back at version 1. */
async function markSynced(patientId: string): Promise<void> {
  await core.db.write(async (m) => {
    await m.update(OutboxEntity, { status: 'pending' }, { status: 'applied', resolvedAt: new Date().toISOString() });
    await m.update(LocalPatientEntity, { id: patientId }, { version: 1 });
    await m.update(LocalInvitationEntity, { patientId }, { status: 'sent', version: 1, sentAt: new Date().toISOString() });
  });
}

describe('a patient without email (invited by a printed letter)', () => {
  it('is pre-registered with a phone: "Save and send" queues no email, and "Send" is refused without writing', async () => {
    const item = await core.services.patients.preRegister(mariaForm({ email: '', phone: '555-0177' }), true);
    expect(item.patient.email).toBe('');
    expect(item.invitation).toBeNull();
    const entries = await outbox();
    expect(entries).toHaveLength(1);
    expect(argsOf<'preRegisterPatient'>(entries[0]).invitationId).toBeNull();
    await expect(core.services.invitations.send(item.patient.id)).rejects.toThrow('Print an invitation letter instead.');
    expect(await outbox()).toHaveLength(1);
  });

  it('needs an email or a phone number', async () => {
    const err = (await core.services.patients.preRegister(mariaForm({ email: '', phone: '' }), false).catch((e: unknown) => e)) as DomainError;
    expect(err.fields?.email).toBe('Enter an email address or a phone number. A patient without email is invited by a printed letter.');
    expect(await outbox()).toHaveLength(0);
  });
});

describe('invitations while the patient is still waiting to be sent', () => {
  it('folds "send" into the pending pre-registration: one intent, one email', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), false);
    const sent = await core.services.invitations.send(item.patient.id);
    expect(sent.invitation?.status).toBe('queued');
    const entries = await outbox();
    expect(entries).toHaveLength(1);
    expect(argsOf<'preRegisterPatient'>(entries[0]).invitationId).toBe(sent.invitation?.id);
  });

  it('pressing send twice while queued changes nothing', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), true);
    const again = await core.services.invitations.send(item.patient.id);
    expect(again.invitation?.id).toBe(item.invitation?.id);
    expect(await outbox()).toHaveLength(1);
    expect(await core.db.read((m) => m.count(LocalInvitationEntity))).toBe(1);
  });

  it('revoking a queued invitation takes it out of the pending pre-registration', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), true);
    const revoked = await core.services.invitations.revoke(item.patient.id);
    expect(revoked.invitation).toBeNull();
    const entries = await outbox();
    expect(entries).toHaveLength(1);
    expect(argsOf<'preRegisterPatient'>(entries[0]).invitationId).toBeNull();
  });

  it('an edit is folded into the pending pre-registration', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), true);
    const edited = await core.services.patients.update(item.patient.id, mariaForm({ familyName: 'López', phone: '555-0101' }));
    expect(edited.patient).toMatchObject({ familyName: 'López', phone: '555-0101' });
    const entries = await outbox();
    expect(entries).toHaveLength(1);
    expect(entries[0]?.description).toBe('Pre-register Maria López');
    expect(argsOf<'preRegisterPatient'>(entries[0])).toMatchObject({ familyName: 'López', phone: '555-0101', invitationId: item.invitation?.id });
  });
});

describe('invitations and edits after the patient reached the server', () => {
  it('resend appends sendInvitation with a new invitation id', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), true);
    await markSynced(item.patient.id);
    const resent = await core.services.invitations.send(item.patient.id);
    expect(resent.invitation).toMatchObject({ status: 'queued' });
    expect(resent.invitation?.id).not.toBe(item.invitation?.id);
    const entries = await outbox();
    expect(entries.map((e) => [e.seq, e.name, e.status])).toEqual([
      [1, 'preRegisterPatient', 'applied'],
      [2, 'sendInvitation', 'pending'],
    ]);
    expect(argsOf<'sendInvitation'>(entries[1])).toEqual({ patientId: item.patient.id, invitationId: resent.invitation?.id });
    expect(entries[1]?.description).toBe('Resend invitation to Maria Lopez');
  });

  it('revoke marks the latest invitation revoked at once and appends revokeInvitation', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), true);
    await markSynced(item.patient.id);
    const revoked = await core.services.invitations.revoke(item.patient.id);
    expect(revoked.invitation).toMatchObject({ id: item.invitation?.id, status: 'revoked' });
    expect(revoked.pendingChanges).toBe(1);
    const entries = await outbox();
    expect(argsOf<'revokeInvitation'>(entries[1])).toEqual({ invitationId: item.invitation?.id });
    // Revoking again is a no-op.
    await core.services.invitations.revoke(item.patient.id);
    expect(await outbox()).toHaveLength(2);
  });

  it('update sends only the changed fields, each with the value it was based on (argsVersion 2)', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), false);
    await markSynced(item.patient.id);
    const unchanged = await core.services.patients.update(item.patient.id, mariaForm());
    expect(unchanged.pendingChanges).toBe(0);
    await core.services.patients.update(item.patient.id, mariaForm({ email: 'new@example.com' }));
    await core.services.patients.update(item.patient.id, mariaForm({ email: 'new@example.com', phone: '555-0102' }));
    const entries = await outbox();
    expect(entries).toHaveLength(2);
    expect(entries[1]?.name).toBe('updatePatient');
    // Two edits fold into one entry; the email keeps the base it had in the first.
    expect(argsOf<'updatePatient'>(entries[1])).toEqual({
      patientId: item.patient.id,
      baseVersion: 1,
      changes: { email: 'new@example.com', phone: '555-0102' },
      base: { email: 'maria.lopez@example.com', phone: '' },
    });
    expect(entries[1]?.argsVersion).toBe(2);
  });

  it('refuses to send or revoke for a patient who has registered', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), true);
    await markSynced(item.patient.id);
    await core.db.write((m) => m.update(LocalInvitationEntity, { id: item.invitation?.id ?? '' }, { status: 'registered' }));
    const sendErr = (await core.services.invitations.send(item.patient.id).catch((e: unknown) => e)) as DomainError;
    expect(sendErr.code).toBe('invitation_used');
    const revokeErr = (await core.services.invitations.revoke(item.patient.id).catch((e: unknown) => e)) as DomainError;
    expect(revokeErr.code).toBe('invitation_used');
    expect(await outbox()).toHaveLength(1);
  });

  it('revoke without any invitation says so', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), false);
    const err = (await core.services.invitations.revoke(item.patient.id).catch((e: unknown) => e)) as DomainError;
    expect(err.code).toBe('not_found');
    expect(err.message).toBe('Maria Lopez has no invitation to revoke.');
  });
});

describe('"Invitations needing attention"', () => {
  it('lists expired, failed, locked and 7-day-old unregistered invitations, oldest first, and counts them for the navigation', async () => {
    const day = 86_400_000;
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * day).toISOString();
    const cases: { name: string; status: LocalInvitationRowStatus; sentDaysAgo: number; expiresInDays: number }[] = [
      { name: 'Failed', status: 'failed', sentDaysAgo: 2, expiresInDays: 12 },
      { name: 'Locked', status: 'locked', sentDaysAgo: 3, expiresInDays: 11 },
      { name: 'Expired', status: 'expired', sentDaysAgo: 20, expiresInDays: -6 },
      { name: 'Lapsed', status: 'sent', sentDaysAgo: 15, expiresInDays: -1 }, // past expiry, not yet marked by the server
      { name: 'Waiting', status: 'sent', sentDaysAgo: 8, expiresInDays: 6 },
      { name: 'Recent', status: 'sent', sentDaysAgo: 1, expiresInDays: 13 },
      { name: 'Done', status: 'registered', sentDaysAgo: 30, expiresInDays: -16 },
      { name: 'Withdrawn', status: 'revoked', sentDaysAgo: 30, expiresInDays: -16 },
    ];
    const ids = new Map<string, string>();
    for (const c of cases) {
      const item = await core.services.patients.preRegister(mariaForm({ givenName: c.name, email: `${c.name.toLowerCase()}@example.com` }), true);
      ids.set(c.name, item.patient.id);
      await core.db.write((m) =>
        m.update(LocalInvitationEntity, { patientId: item.patient.id }, { status: c.status, sentAt: at(c.sentDaysAgo), statusChangedAt: at(c.sentDaysAgo), expiresAt: new Date(now + c.expiresInDays * day).toISOString(), version: 1 }),
      );
    }
    const list = await core.services.invitations.needingAttention();
    expect(list.map((i) => [i.patient.givenName, i.reason])).toEqual([
      ['Expired', 'expired'],
      ['Lapsed', 'expired'],
      ['Waiting', 'not_registered'],
      ['Locked', 'locked'],
      ['Failed', 'failed'],
    ]);
    expect((await core.services.overview.counts()).invitationsNeedingAttention).toBe(5);

    // One step from the list: a resend takes the patient off it (a new invitation is waiting to send).
    await core.services.invitations.send(ids.get('Failed') ?? '');
    await core.services.invitations.revoke(ids.get('Locked') ?? '');
    expect((await core.services.invitations.needingAttention()).map((i) => i.patient.givenName)).toEqual(['Expired', 'Lapsed', 'Waiting']);
  });
});

type LocalInvitationRowStatus = 'sent' | 'failed' | 'locked' | 'expired' | 'registered' | 'revoked';
