import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../shared/ipc/contract';
import { OutboxEntity } from '../../src-main/replica/entities';
import { mariaForm, startSignedInCore, startTestCore } from '../../src-main/testSupport';
import type { TestCore } from '../../src-main/testSupport';
import type { HostilePortal } from './helpers';
import { DEMO, startHostilePortal } from './helpers';

/** The console's IPC boundary: what a renderer hears while the console is locked, and what each role may ask. */
let hp: HostilePortal;

beforeAll(async () => {
  hp = await startHostilePortal();
});
afterAll(async () => {
  await hp.stop();
});

describe('a console restarted while locked', () => {
  it('sends the renderer no patient name in its first sync status events, before anything asked whether it is locked', async () => {
    const [receptionist] = DEMO.staff;
    const who = receptionist ?? DEMO.admin;
    const first = await startSignedInCore(hp.url, who.username, who.password);
    let again: TestCore | null = null;
    try {
      await first.engine.stop();
      // A change the server refused earlier: its description names the patient.
      await first.services.patients.preRegister(mariaForm({ givenName: 'Rosalind', familyName: 'Quintero', email: 'rosalind@example.com' }), false);
      await first.db.write((m) => m.update(OutboxEntity, { status: 'pending' }, { status: 'rejected', error: 'Refused earlier', errorCode: 'conflict', resolvedAt: new Date().toISOString() }));
      expect((await first.engine.refreshStatus()).rejected.map((r) => r.description)).toEqual(['Pre-register Rosalind Quintero']);
      await first.services.lock.lock();
      await first.close();

      again = await startTestCore({ serverUrl: hp.url, dataDir: first.dataDir });
      const heard: SyncStatus[] = [];
      // The window listens at once; nothing has invoked a channel yet.
      again.registry.on('sync.status', (status) => heard.push(status));
      await again.engine.refreshStatus();
      await expect.poll(() => heard.length, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(JSON.stringify(heard)).not.toContain('Rosalind');
      expect(heard.map((s) => s.rejected)).toEqual(heard.map(() => []));
      expect(await again.services.auth.status()).toMatchObject({ mode: 'ready', locked: true });
    } finally {
      await again?.close();
      await first.dispose();
    }
  });
});

describe('admin-only channels on a receptionist console', () => {
  it('are refused in the console itself: no request reaches the server and nothing changes', async () => {
    const [receptionist] = DEMO.staff;
    const who = receptionist ?? DEMO.admin;
    const asked: string[] = [];
    const core = await startSignedInCore(hp.url, who.username, who.password, {
      fetch: (input, init) => {
        asked.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
        return fetch(input, init);
      },
    });
    try {
      await core.engine.stop();
      asked.length = 0;
      const before = await hp.snapshot(['staff_user', 'device', 'change_log']);
      const clinicBefore = await hp.rows('SELECT * FROM clinic');
      const calls: [string, unknown][] = [
        ['staff.list', undefined],
        ['staff.create', { username: 'sneaky', displayName: 'Sneaky', role: 'admin', password: 'Sneaky2Go' }],
        ['staff.setActive', { staffUserId: hp.admin.staffId, active: false }],
        ['staff.resetPassword', { staffUserId: hp.admin.staffId, password: 'Taken0ver!' }],
        ['clinic.update', { name: 'Taken Over', phone: '1', address: '1', timeZone: 'America/Chicago', passwordPolicy: 'default', invitationLifetimeDays: 90, appointmentCancelHours: 0, staffTokenLifetimeDays: 365, staffTokenIdleDays: 90, messageRepliers: 'physicians_receptionists_admins' }],
      ];
      const answers = [];
      for (const [channel, args] of calls) {
        answers.push([channel, await core.registry.invoke(channel, args)]);
      }
      expect(answers).toEqual(calls.map(([channel]) => [channel, { ok: false, error: { code: 'forbidden', message: expect.stringContaining('Only a clinic administrator') } }]));
      expect(asked.filter((a) => a.includes('/api/staff/users') || a.includes('/api/staff/clinic'))).toEqual([]);
      expect(await hp.snapshot(['staff_user', 'device', 'change_log'])).toEqual(before);
      expect(await hp.rows('SELECT * FROM clinic')).toEqual(clinicBefore);
    } finally {
      await core.dispose();
    }
  });
});
