import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditEventEntity, StaffUserEntity } from '../../shared/node/entities/server';
import { TEST_CLINIC, addStaff, signInStaff, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import { OutboxEntity } from '../replica/entities';
import { getState } from '../replica/syncState';
import { mariaForm, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

/** The idle lock and the quick staff switch, against a real portal server. */
let portal: TestPortal;
let core: TestCore;

const admin = { username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword };
const desk = { username: 'desk1', password: 'Copper-Kettle-Desk-81' };
const LOCKED = { ok: false, error: { code: 'not_signed_in', message: 'The console is locked. Sign in to continue.' } };

beforeAll(async () => {
  portal = await startTestPortal();
  await addStaff(portal.url, (await signInStaff(portal.url, admin.username, admin.password)).token, desk.username, 'receptionist', desk.password);
});
afterAll(async () => {
  await portal.stop();
});
beforeEach(async () => {
  core = await startTestCore({ serverUrl: portal.url });
});
afterEach(async () => {
  await core.dispose();
});

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as { code: string; message: string });
const tokenWorks = async (token: string | null) => (await fetch(`${portal.url}/api/staff/me`, { headers: { authorization: `Bearer ${token ?? ''}` } })).status === 200;
const patientCount = () => core.db.read((m) => m.countBy(OutboxEntity, { name: 'preRegisterPatient' }));

/** Who the server says pre-registered each patient, by email. */
async function preRegisteredBy(): Promise<Map<string, string | null>> {
  const events = await portal.handle.context.db.read((m) => m.findBy(AuditEventEntity, { action: 'patient.pre_register' }));
  const patients = await portal.handle.context.db.read((m) => m.query('SELECT id, email FROM patient') as Promise<{ id: string; email: string }[]>);
  const emailOf = new Map(patients.map((p) => [p.id, p.email]));
  return new Map(events.map((e) => [emailOf.get(e.entityId ?? '') ?? '?', e.actorId]));
}

/** A staff member's id, read from the server's own table (signing in again would use up the rate limit). */
async function staffIdOf(username: string): Promise<string> {
  return (await portal.handle.context.db.read((m) => m.findOneByOrFail(StaffUserEntity, { username }))).id;
}

async function stopPortal(): Promise<() => Promise<void>> {
  const { port, dataDir } = { port: portal.handle.port, dataDir: portal.dataDir };
  await portal.handle.close();
  return async () => {
    portal = await startTestPortal({ dataDir, config: { port } });
  };
}

describe('locking the console', () => {
  it('refuses every patient-data channel while locked, writes nothing, and keeps the session', async () => {
    await core.services.auth.signIn(desk);
    const locked = await core.registry.invoke('auth.lock', undefined);
    expect(locked).toMatchObject({ ok: true, value: { mode: 'ready', locked: true, staff: { username: 'desk1' } } });

    expect(await core.registry.invoke('patients.list', { query: '' })).toEqual(LOCKED);
    expect(await core.registry.invoke('patients.preRegister', { form: mariaForm(), sendInvitation: true })).toEqual(LOCKED);
    expect(await core.registry.invoke('record.get', { patientId: 'p' })).toEqual(LOCKED);
    expect(await core.registry.invoke('messages.inbox', { filter: 'open' })).toEqual(LOCKED);
    expect(await core.registry.invoke('staff.directory', undefined)).toEqual(LOCKED);
    expect(await core.registry.invoke('devices.list', undefined)).toEqual(LOCKED);
    // The sign-in screen's channel cannot replace the session behind the lock.
    expect(await core.registry.invoke('auth.signIn', admin)).toEqual(LOCKED);
    // Services refuse too, not only the IPC boundary.
    expect(await failure(core.services.patients.list(''))).toMatchObject({ code: 'not_signed_in', message: 'The console is locked. Sign in to continue.' });
    expect(await patientCount()).toBe(0);

    expect(await core.registry.invoke('sync.status', undefined)).toMatchObject({ ok: true, value: { rejected: [] } });
    expect(await core.session.token()).not.toBeNull();
    expect(core.engine.isRunning).toBe(true);
  });

  it('stays locked across a restart of the console', async () => {
    await core.services.auth.signIn(desk);
    await core.services.lock.lock();
    await core.close();
    const again = await startTestCore({ serverUrl: portal.url, dataDir: core.dataDir });
    try {
      expect(await again.services.auth.status()).toMatchObject({ mode: 'ready', locked: true });
      expect(await again.registry.invoke('patients.list', { query: '' })).toEqual(LOCKED);
    } finally {
      await again.close();
    }
    core = await startTestCore({ serverUrl: portal.url });
  });

  it('unlocks for the same person with a fresh token and revokes the old one', async () => {
    await core.services.auth.signIn(desk);
    const oldToken = await core.session.token();
    await core.services.lock.lock();
    const status = await core.services.lock.unlock(desk);
    expect(status).toMatchObject({ locked: false, staff: { username: 'desk1' } });
    expect(await core.registry.invoke('patients.list', { query: '' })).toMatchObject({ ok: true });
    expect(await tokenWorks(await core.session.token())).toBe(true);
    expect(await tokenWorks(oldToken)).toBe(false);
  });

  it('refuses a wrong password and stays locked', async () => {
    await core.services.auth.signIn(desk);
    await core.services.lock.lock();
    expect(await failure(core.services.lock.unlock({ ...desk, password: 'Wrong2Work' }))).toMatchObject({ code: 'invalid_credentials' });
    expect(await failure(core.services.lock.unlock({ username: '', password: '' }))).toMatchObject({ code: 'validation_failed' });
    expect(await core.services.auth.status()).toMatchObject({ locked: true, staff: { username: 'desk1' } });
  });
});

describe('switching staff members at the lock screen', () => {
  it('sends each change under the name of the person who made it, then revokes the earlier token', async () => {
    await core.services.auth.signIn(desk);
    const deskToken = await core.session.token();
    // The desk's change is still waiting when the console locks (the server was slow, say).
    await core.engine.stop();
    await core.services.patients.preRegister(mariaForm({ email: 'by.desk@example.com' }), false);
    await core.services.lock.lock();

    const status = await core.services.lock.unlock(admin);
    expect(status).toMatchObject({ locked: false, staff: { username: 'admin1', role: 'admin' } });
    await core.services.patients.preRegister(mariaForm({ givenName: 'Ana', email: 'by.admin@example.com' }), false);
    expect(await core.engine.syncNow()).toMatchObject({ pending: 0, lastError: null });

    const by = await preRegisteredBy();
    const me = await signInStaff(portal.url, admin.username, admin.password);
    const deskMe = await signInStaff(portal.url, desk.username, desk.password);
    expect(by.get('by.desk@example.com')).toBe(deskMe.staff.id);
    expect(by.get('by.admin@example.com')).toBe(me.staff.id);
    // Nothing of the desk's is left to send: its token is revoked and forgotten.
    expect(await tokenWorks(deskToken)).toBe(false);
    expect(await core.db.read((m) => getState(m, 'heldTokens'))).toEqual([]);
  });

  it('never folds the next person’s edit into the previous person’s waiting change', async () => {
    await core.services.auth.signIn(desk);
    await core.engine.stop();
    const maria = await core.services.patients.preRegister(mariaForm({ email: 'fold@example.com' }), false);
    await core.services.lock.lock();
    await core.services.lock.unlock(admin);
    await core.engine.stop();
    await core.services.patients.update(maria.patient.id, mariaForm({ email: 'fold@example.com', phone: '555-0100' }));
    const rows = await core.db.read((m) => m.find(OutboxEntity, { where: { status: 'pending' }, order: { seq: 'ASC' } }));
    expect(rows.map((r) => r.name)).toEqual(['preRegisterPatient', 'updatePatient']);
    expect(new Set(rows.map((r) => r.staffUserId)).size).toBe(2);
  });

  /** The desk's change waits while the desk's sign-in is revoked elsewhere; the admin has switched in. */
  async function deskChangeHeldBehindAdmin(email: string): Promise<void> {
    await core.services.auth.signIn(desk);
    const deskToken = await core.session.token();
    await core.engine.stop();
    await core.services.patients.preRegister(mariaForm({ givenName: 'Held', email }), false);
    await core.services.lock.lock();
    await core.services.lock.unlock(admin);
    await core.engine.stop();
    // Revoked elsewhere (an admin's device list) before this console pushed the desk's change.
    await fetch(`${portal.url}/api/staff/sign-out`, { method: 'POST', headers: { authorization: `Bearer ${deskToken ?? ''}` } });
  }

  it('a revoked person’s waiting change holds nobody else’s back: it is held and listed, and sent when that person signs in again', async () => {
    await deskChangeHeldBehindAdmin('held@example.com');
    await core.services.patients.preRegister(mariaForm({ givenName: 'Behind', email: 'behind.held@example.com' }), false);
    core.engine.start();
    const status = await core.engine.syncNow();
    // The admin's change, made after the desk's, went through.
    expect(status.pending).toBe(0);
    expect((await preRegisteredBy()).has('behind.held@example.com')).toBe(true);
    expect((await preRegisteredBy()).has('held@example.com')).toBe(false);
    expect(status.held).toEqual([expect.objectContaining({ description: 'Pre-register Held Lopez', authorName: 'desk1', resendRole: 'anyone' })]);

    await core.services.lock.lock();
    await core.services.lock.unlock(desk);
    expect(await core.engine.syncNow()).toMatchObject({ pending: 0, held: [], lastError: null });
    expect((await preRegisteredBy()).get('held@example.com')).toBe(await staffIdOf(desk.username));
  });

  it('someone signed in sends a held change again in their own name, and the server records whose it was', async () => {
    await deskChangeHeldBehindAdmin('entered.for@example.com');
    core.engine.start();
    const held = (await core.engine.syncNow()).held;
    expect(held).toHaveLength(1);
    const resent = await core.registry.invoke('sync.resendHeld', { seq: held[0]?.seq ?? 0 });
    expect(resent).toMatchObject({ ok: true, value: { held: [] } });
    await expect.poll(async () => (await core.engine.status()).pending, { timeout: 10_000 }).toBe(0);
    const [adminId, deskId] = [await staffIdOf(admin.username), await staffIdOf(desk.username)];
    expect((await preRegisteredBy()).get('entered.for@example.com')).toBe(adminId);
    const enteredFor = await portal.handle.context.db.read((m) => m.findBy(AuditEventEntity, { action: 'sync.entered_for' }));
    expect(enteredFor).toEqual([expect.objectContaining({ actorId: adminId, entityId: deskId })]);
  });

  it('an admin discards a held change: it is gone from the list and the desk, and the server audits what was dropped', async () => {
    await deskChangeHeldBehindAdmin('discarded@example.com');
    core.engine.start();
    const [change] = (await core.engine.syncNow()).held;
    expect(change).toBeDefined();
    // A seq that names nothing is refused before anything is read.
    expect(await core.registry.invoke('sync.discardHeld', { seq: -1 })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const discarded = await core.registry.invoke('sync.discardHeld', { seq: change?.seq ?? 0 });
    expect(discarded).toMatchObject({ ok: true, value: { held: [] } });
    await expect.poll(async () => (await core.engine.status()).pending, { timeout: 10_000 }).toBe(0);
    expect((await core.services.patients.list('')).some((p) => p.patient.email === 'discarded@example.com')).toBe(false);
    expect((await preRegisteredBy()).has('discarded@example.com')).toBe(false);
    const audits = await portal.handle.context.db.read((m) => m.findBy(AuditEventEntity, { action: 'sync.change_discarded' }));
    expect(audits).toHaveLength(1);
    expect(audits[0]?.detail).toContain('intent=preRegisterPatient');
  });

  it('keeps a signed-out person’s token only until their changes are sent', async () => {
    await core.services.auth.signIn(desk);
    const deskToken = await core.session.token();
    await core.engine.stop();
    await core.services.patients.preRegister(mariaForm({ email: 'signed.out@example.com' }), false);
    const restart = await stopPortal();
    try {
      await core.services.auth.signOut();
    } finally {
      await restart();
    }
    expect(await tokenWorks(deskToken)).toBe(true);
    await core.services.auth.signIn(admin);
    expect(await core.engine.syncNow()).toMatchObject({ pending: 0, lastError: null });
    const deskMe = await signInStaff(portal.url, desk.username, desk.password);
    expect((await preRegisteredBy()).get('signed.out@example.com')).toBe(deskMe.staff.id);
    expect(await tokenWorks(deskToken)).toBe(false);
  });
});

describe('unlocking while the clinic server is unreachable', () => {
  it('lets only the person signed in unlock, with the password of their last online sign-in', async () => {
    await core.services.auth.signIn(desk);
    await core.services.lock.lock();
    const restart = await stopPortal();
    try {
      const other = await failure(core.services.lock.unlock(admin));
      expect(other).toMatchObject({ code: 'offline' });
      expect(other?.message).toBe('The clinic server is not reachable, so only desk1 can unlock this console now. Another staff member can sign in once the connection is back.');
      expect(await failure(core.services.lock.unlock({ ...desk, password: 'Wrong2Work' }))).toMatchObject({ code: 'invalid_credentials', message: 'The password is not right.' });
      expect((await core.services.auth.status()).locked).toBe(true);

      const status = await core.services.lock.unlock({ username: 'DESK1', password: desk.password });
      expect(status).toMatchObject({ locked: false, staff: { username: 'desk1' } });
      expect(await core.registry.invoke('patients.list', { query: '' })).toMatchObject({ ok: true });
    } finally {
      await restart();
    }
  });

  it('keeps the verifier as an argon2id hash, never the password, and only for the person signed in', async () => {
    await core.services.auth.signIn(admin);
    await core.services.lock.lock();
    await core.services.lock.unlock(desk);
    const verifiers = await core.db.read((m) => getState(m, 'unlockVerifiers'));
    expect(Object.keys(verifiers ?? {})).toEqual(['desk1']);
    expect(verifiers?.desk1?.verifier).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(verifiers)).not.toContain(desk.password);
  });

  it('slows down repeated wrong passwords', async () => {
    await core.services.auth.signIn(desk);
    await core.services.lock.lock();
    const restart = await stopPortal();
    try {
      for (let i = 0; i < 5; i += 1) {
        expect(await failure(core.services.lock.unlock({ ...desk, password: `Wrong${i}Work` }))).toMatchObject({ code: 'invalid_credentials' });
      }
      expect(await failure(core.services.lock.unlock(desk))).toMatchObject({ code: 'rate_limited' });
      expect((await core.services.auth.status()).locked).toBe(true);
    } finally {
      await restart();
    }
  });
});

describe('the idle time setting', () => {
  it('is 10 minutes by default; an admin sets it in whole minutes; others cannot', async () => {
    await core.services.auth.signIn(admin);
    expect((await core.services.auth.status()).idleLockSeconds).toBe(600);
    expect(await core.registry.invoke('console.setIdleLock', { minutes: 2 })).toMatchObject({ ok: true, value: { idleLockSeconds: 120 } });
    for (const minutes of [0, 61, 1.5]) {
      expect(await core.registry.invoke('console.setIdleLock', { minutes })).toMatchObject({ ok: false, error: { code: 'validation_failed', fields: { minutes: 'Enter a whole number of minutes from 1 to 60.' } } });
    }
    await core.services.lock.lock();
    await core.services.lock.unlock(desk);
    expect(await core.registry.invoke('console.setIdleLock', { minutes: 60 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await core.services.auth.status()).idleLockSeconds).toBe(120);
  });
});
