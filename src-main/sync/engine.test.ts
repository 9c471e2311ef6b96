import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { SyncStatus } from '../../shared/ipc/contract';
import { SYNC_PROTOCOL_HEADER } from '../../shared/sync/protocol';
import { readMails, waitForMail } from '../../test/fixtures/mail';
import { TEST_CLINIC, TestConsole, signInStaff, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import { LocalInvitationEntity } from '../replica/entities';
import { mariaForm, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

let portal: TestPortal;
let core: TestCore;
const statuses: SyncStatus[] = [];

async function signIn(c: TestCore): Promise<void> {
  await c.services.auth.signIn({ username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword });
}

beforeEach(async () => {
  portal = await startTestPortal();
  core = await startTestCore({ serverUrl: portal.url });
  statuses.length = 0;
  core.events.on('sync.status', (s) => statuses.push(s));
  await signIn(core);
  await core.engine.syncNow();
});
afterEach(async () => {
  await core.dispose();
  await portal.stop();
});

const mailsTo = async (email: string) => (await readMails(portal.mailDir)).filter((m) => m.to.includes(email));

describe('SyncEngine against a real portal server', () => {
  it('pushes a pre-registration, pulls the invitation back as sent, and the email is delivered', async () => {
    const item = await core.services.patients.preRegister(mariaForm(), true);
    expect(item.invitation?.status).toBe('queued');
    const status = await core.engine.syncNow();
    expect(status).toMatchObject({ online: true, pending: 0, lastError: null, rejected: [] });
    expect(status.lastSyncedAt).not.toBeNull();

    const synced = await core.services.patients.get(item.patient.id);
    expect(synced.patient.version).toBe(1);
    expect(synced.invitation).toMatchObject({ id: item.invitation?.id, status: 'sent' });
    expect(synced.invitation?.version).toBeGreaterThanOrEqual(1);
    expect(synced.invitation?.expiresAt).not.toBeNull();
    expect(synced.pendingChanges).toBe(0);

    await portal.handle.flushMail();
    const mail = await waitForMail(portal.mailDir, 'maria.lopez@example.com');
    expect(mail.registrationId).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    // Delivery stamps sentAt on the server; the poke brings it to the replica without asking.
    await vi.waitFor(async () => expect((await core.services.patients.get(item.patient.id)).invitation?.sentAt).not.toBeNull(), { timeout: 10_000 });
    expect(statuses.some((s) => s.syncing)).toBe(true);
  });

  it('keeps working while the server is down and sends exactly one invitation once it is back', async () => {
    const port = portal.handle.port;
    await portal.handle.close();
    const item = await core.services.patients.preRegister(mariaForm({ email: 'offline@example.com' }), true);
    // Pressing "Send" again while it waits must not produce a second email.
    await core.services.invitations.send(item.patient.id);
    const offline = await core.engine.syncNow();
    expect(offline).toMatchObject({ online: false, pending: 1 });
    expect((await core.services.patients.get(item.patient.id)).invitation?.status).toBe('queued');

    portal = await startTestPortal({ dataDir: portal.dataDir, config: { port } });
    // No one presses anything: the engine's back-off retry finds the server again.
    await vi.waitFor(async () => expect(await core.engine.status()).toMatchObject({ online: true, pending: 0 }), { timeout: 10_000 });
    expect((await core.services.patients.get(item.patient.id)).invitation?.status).toBe('sent');
    await portal.handle.flushMail();
    await waitForMail(portal.mailDir, 'offline@example.com');
    await core.engine.syncNow();
    await portal.handle.flushMail();
    expect(await mailsTo('offline@example.com')).toHaveLength(1);
  });

  it('resends: a new invitation goes out and the old one is revoked', async () => {
    const first = await core.services.patients.preRegister(mariaForm({ email: 'resend@example.com' }), true);
    await core.engine.syncNow();
    const resent = await core.services.invitations.send(first.patient.id);
    expect(resent.invitation?.status).toBe('queued');
    expect(resent.invitation?.id).not.toBe(first.invitation?.id);
    await core.engine.syncNow();
    const after = await core.services.patients.get(first.patient.id);
    expect(after.invitation).toMatchObject({ id: resent.invitation?.id, status: 'sent' });
    const old = await core.db.read((m) => m.findOneBy(LocalInvitationEntity, { id: first.invitation?.id ?? '' }));
    expect(old?.status).toBe('revoked');
    await portal.handle.flushMail();
    expect(await mailsTo('resend@example.com')).toHaveLength(2);
  });

  it('revokes: the desk sees it at once, the server agrees after sync', async () => {
    const item = await core.services.patients.preRegister(mariaForm({ email: 'revoke@example.com' }), true);
    await core.engine.syncNow();
    const revoked = await core.services.invitations.revoke(item.patient.id);
    expect(revoked.invitation?.status).toBe('revoked');
    expect(revoked.pendingChanges).toBe(1);
    await core.engine.syncNow();
    const after = await core.services.patients.get(item.patient.id);
    expect(after.invitation?.status).toBe('revoked');
    expect(after.invitation?.version).toBeGreaterThan(revoked.invitation?.version ?? 0);
    expect(after.pendingChanges).toBe(0);
  });

  it('shows a change the server refused, with its reason, and rolls the row back to the server copy', async () => {
    const item = await core.services.patients.preRegister(mariaForm({ email: 'conflict@example.com' }), false);
    await core.engine.syncNow();
    // Another desk edits the same patient first, while this console is offline (a poke would bring it at once).
    await core.engine.stop();
    const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
    const other = new TestConsole(portal.url, admin.token);
    await other.push([other.mutation('updatePatient', { patientId: item.patient.id, baseVersion: 1, changes: { phone: '555-0199' } })]);
    // The same field, differently: a field-level conflict.
    await core.services.patients.update(item.patient.id, mariaForm({ email: 'conflict@example.com', givenName: 'Mariah', phone: '555-0123' }));
    expect((await core.services.patients.get(item.patient.id)).patient.givenName).toBe('Mariah');
    core.engine.start();
    const status = await core.engine.syncNow();
    expect(status.pending).toBe(0);
    expect(status.rejected).toEqual([expect.objectContaining({ description: 'Update Mariah Lopez', kind: 'conflict', reason: expect.stringContaining('The phone number was changed at another desk') })]);
    const after = await core.services.patients.get(item.patient.id);
    expect(after.patient).toMatchObject({ givenName: 'Maria', phone: '555-0199', version: 2 });
  });

  it('pulls another desk’s change when the server pokes, without being asked', async () => {
    const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
    const patientId = randomUUID();
    const other = new TestConsole(portal.url, admin.token);
    await other.push([other.mutation('preRegisterPatient', { patientId, givenName: 'Pia', familyName: 'Poke', dateOfBirth: '1970-01-02', email: 'pia@example.com', phone: '', invitationId: null })]);
    await vi.waitFor(async () => expect((await core.services.patients.list('pia')).map((i) => i.patient.id)).toEqual([patientId]), { timeout: 10_000 });
  });

  it('reports the server’s message when it refuses this protocol version (426)', async () => {
    await core.dispose();
    const oldFetch: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      if (headers.has(SYNC_PROTOCOL_HEADER)) {
        headers.set(SYNC_PROTOCOL_HEADER, '0');
      }
      return fetch(input, { ...init, headers });
    };
    core = await startTestCore({ serverUrl: portal.url, fetch: oldFetch });
    await signIn(core);
    await core.services.patients.preRegister(mariaForm(), true);
    const status = await core.engine.syncNow();
    expect(status.lastError).toBe('This console is older than the clinic server. Update the console to keep syncing; your unsent changes are kept.');
    expect(status.pending).toBe(1);
  });
});
