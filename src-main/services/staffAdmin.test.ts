import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DomainError } from '../../shared/api/errors';
import { TEST_CLINIC, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import { TEST_STAFF, signInOffline, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

let portal: TestPortal;
let core: TestCore;

beforeAll(async () => {
  portal = await startTestPortal();
  core = await startTestCore({ serverUrl: portal.url });
  await core.services.auth.signIn({ username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword });
});
afterAll(async () => {
  await core.dispose();
  await portal.stop();
});

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as DomainError);

describe('staff administration (online only)', () => {
  it('lists, creates, deactivates and resets the password of staff accounts', async () => {
    const created = await core.services.staff.create({ username: 'desk2', displayName: 'Dee Desk', role: 'receptionist', password: 'Copper-Kettle-Desk-81' });
    expect(created).toMatchObject({ username: 'desk2', displayName: 'Dee Desk', role: 'receptionist', active: true });
    expect((await core.services.staff.list()).map((s) => s.username).sort()).toEqual(['admin1', 'desk2']);

    expect(await core.services.staff.setActive(created.id, false)).toMatchObject({ id: created.id, active: false });
    expect(await core.services.staff.setActive(created.id, true)).toMatchObject({ id: created.id, active: true });
    expect(await core.services.staff.resetPassword(created.id, 'Granite-Owl-Meadow-73')).toMatchObject({ id: created.id });
    const signIn = await fetch(`${portal.url}/api/staff/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'desk2', password: 'Granite-Owl-Meadow-73', deviceName: 'test' }),
    });
    expect(signIn.status).toBe(200);
  });

  it('rethrows the server’s error with its code, message and fields', async () => {
    await core.services.staff.create({ username: 'taken1', displayName: 'T', role: 'physician', password: 'Taken-Birch-Canal-46' });
    const err = await failure(core.services.staff.create({ username: 'TAKEN1', displayName: 'T2', role: 'physician', password: 'Taken-Birch-Canal-46' }));
    expect(err?.code).toBe('validation_failed');
    expect(err?.fields).toEqual({ username: 'That username is taken. Choose another.' });
  });

  it('checks the form with the shared schema before calling the server', async () => {
    const fetchSpy = vi.fn(fetch);
    const local = await startTestCore({ serverUrl: portal.url, fetch: fetchSpy });
    try {
      await signInOffline(local, portal.url, { ...TEST_STAFF, role: 'admin' });
      const err = await failure(local.services.staff.create({ username: 'ab', displayName: '', role: 'boss' as 'admin', password: 'short' }));
      expect(err?.code).toBe('validation_failed');
      expect(Object.keys(err?.fields ?? {}).sort()).toEqual(['displayName', 'password', 'role', 'username']);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      await local.dispose();
    }
  });

  it('says staff changes need a connection when the server is down', async () => {
    const port = portal.handle.port;
    await portal.handle.close();
    try {
      const err = await failure(core.services.staff.list());
      expect(err).toBeInstanceOf(DomainError);
      expect(err?.code).toBe('offline');
      expect(err?.message).toBe('The clinic server is not reachable. Staff changes need a connection.');
    } finally {
      portal = await startTestPortal({ dataDir: portal.dataDir, config: { port } });
    }
  });

  it('a deactivated colleague’s console is sent back to sign-in at its next sync', async () => {
    const desk = await core.services.staff.create({ username: 'desk3', displayName: 'Dan', role: 'receptionist', password: 'Desk-Three-Willow-85' });
    const other = await startTestCore({ serverUrl: portal.url });
    try {
      await other.services.auth.signIn({ username: 'desk3', password: 'Desk-Three-Willow-85' });
      await other.engine.syncNow();
      await core.services.staff.setActive(desk.id, false);
      const status = await other.engine.syncNow();
      expect(status.lastError).toContain('Sign in again');
      expect((await other.services.auth.status()).mode).toBe('sign-in');
      expect(other.engine.isRunning).toBe(false);
    } finally {
      await other.dispose();
    }
  });
});
