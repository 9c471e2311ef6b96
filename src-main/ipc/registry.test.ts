import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IPC_CHANNELS } from '../../shared/ipc/contract';
import type { IpcEvents } from '../../shared/ipc/contract';
import { LocalPatientEntity } from '../replica/entities';
import { mariaForm, signInOffline, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';
import { ARG_SHAPES } from './argShapes';
import { createIpcRegistry } from './registry';

let core: TestCore;
let logged: string[];

beforeEach(async () => {
  core = await startTestCore();
  logged = [];
});
afterEach(async () => {
  await core.dispose();
});

describe('the IPC registry', () => {
  it('has a shape for every contract channel', () => {
    expect(Object.keys(ARG_SHAPES).sort()).toEqual([...IPC_CHANNELS].sort());
  });

  it('answers a contract channel with {ok:true, value}', async () => {
    const result = await core.registry.invoke('app.status', undefined);
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ mode: 'sign-in', hostsServer: false }) });
  });

  it('refuses unknown channels', async () => {
    for (const channel of ['shell.openExternal', 'constructor', '__proto__', 'toString', '']) {
      expect(await core.registry.invoke(channel, {})).toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
  });

  it('refuses arguments of the wrong shape before any service runs', async () => {
    await signInOffline(core);
    const bad: [string, unknown][] = [
      ['patients.list', undefined],
      ['patients.list', { query: 42 }],
      ['patients.get', 'abc'],
      ['patients.preRegister', { form: 'Maria', sendInvitation: true }],
      ['patients.preRegister', { form: { ...mariaForm(), givenName: ['Maria'] }, sendInvitation: true }],
      ['patients.preRegister', { form: mariaForm(), sendInvitation: 'yes' }],
      ['staff.setActive', { staffUserId: 'x', active: 'false' }],
      ['app.status', { sneaky: true }],
      ['auth.signIn', { username: 'a'.repeat(20_000), password: 'x' }],
    ];
    for (const [channel, args] of bad) {
      expect(await core.registry.invoke(channel, args), channel).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    }
    expect(await core.db.read((m) => m.count(LocalPatientEntity))).toBe(0);
  });

  it('checks the shapes of the appointment, renewal, message and record channels', async () => {
    await signInOffline(core);
    const slot = { physicianId: 'p', start: '2026-12-01T15:30:00.000Z', durationMinutes: 30 };
    const bad: [string, unknown][] = [
      ['appointments.queue', { all: true }],
      ['appointments.schedule', { from: 1, to: 2, physicianId: null }],
      ['appointments.create', { ...slot, durationMinutes: '30', patientId: 'x', reason: 'r' }],
      ['appointments.create', { ...slot, durationMinutes: Number.NaN, patientId: 'x', reason: 'r' }],
      ['appointments.schedule.book', { ...slot }],
      ['appointments.propose', { ...slot, appointmentId: 'a' }],
      ['renewals.decide', { renewalId: 'r', decision: 'approved', note: '', refillsGranted: '2' }],
      ['messages.reply', { threadId: 't', body: { html: '<b>' } }],
      ['messages.assign', { threadId: 't', staffUserId: 7 }],
      ['record.save', { kind: 'allergy', patientId: 'p', entryId: null, fields: 'Penicillin' }],
      ['record.save', { kind: 'allergy', patientId: 'p', entryId: null, fields: ['Penicillin'] }],
      ['work.counts', { badge: 1 }],
    ];
    for (const [channel, args] of bad) {
      expect(await core.registry.invoke(channel, args), channel).toMatchObject({ ok: false, error: { code: 'validation_failed', message: 'The request was not understood. Reload the window and try again.' } });
    }
    const good: [string, unknown][] = [
      ['appointments.schedule', { from: '2026-12-01T06:00:00.000Z', to: '2026-12-02T06:00:00.000Z', physicianId: null }],
      ['messages.inbox', { filter: 'open' }],
      ['work.counts', undefined],
    ];
    for (const [channel, args] of good) {
      expect(await core.registry.invoke(channel, args), channel).toMatchObject({ ok: true });
    }
  });

  it('checks the shapes of the lock, patient-account, device and audit channels', async () => {
    await signInOffline(core);
    const bad: [string, unknown][] = [
      ['auth.lock', { now: true }],
      ['auth.unlock', { username: 'desk1' }],
      ['auth.unlock', { username: 1, password: 'x' }],
      ['console.setIdleLock', { minutes: '5' }],
      ['console.setIdleLock', { minutes: Number.POSITIVE_INFINITY }],
      ['patients.unlockPortalAccount', { patientId: null }],
      ['patients.sendPasswordReset', {}],
      ['devices.list', { all: true }],
      ['devices.revoke', { deviceId: ['a', 'b'] }],
      ['audit.search', { filters: 'record.view' }],
      ['audit.search', { filters: { limit: '50' } }],
      ['audit.search', { filters: { patientId: { $gt: '' } } }],
    ];
    for (const [channel, args] of bad) {
      expect(await core.registry.invoke(channel, args), channel).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    }
    // A receptionist is told at once that the audit log is for administrators; nothing reaches the network.
    expect(await core.registry.invoke('audit.search', { filters: {} })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await core.registry.invoke('devices.list', undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses a receptionist the physician-only channels with a readable reason', async () => {
    await signInOffline(core);
    const save = await core.registry.invoke('record.save', { kind: 'allergy', patientId: 'p', entryId: null, fields: { substance: 'Latex', reaction: 'Rash', severity: 'mild' } });
    expect(save).toEqual({ ok: false, error: { code: 'forbidden', message: 'Only a physician can change the medical record.' } });
    const decide = await core.registry.invoke('renewals.decide', { renewalId: 'r', decision: 'approved', note: '', refillsGranted: null });
    expect(decide).toEqual({ ok: false, error: { code: 'forbidden', message: 'Only a physician can approve or deny a renewal.' } });
  });

  it('turns a DomainError into {ok:false, error} with code, message and fields', async () => {
    await signInOffline(core);
    const result = await core.registry.invoke('patients.preRegister', { form: mariaForm({ email: 'nope' }), sendInvitation: true });
    expect(result).toEqual({
      ok: false,
      error: { code: 'validation_failed', message: 'Some fields need attention.', fields: { email: 'Enter an email address like name@example.com.' } },
    });
    expect(await core.registry.invoke('patients.get', { patientId: 'missing' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('hides an unexpected error behind a generic message and logs it without its message', async () => {
    const registry = createIpcRegistry(
      {
        ...core.services,
        patients: {
          ...core.services.patients,
          list: () => Promise.reject(new Error('SQLITE_CONSTRAINT: value Maria Lopez 1986-04-12')),
        } as unknown as typeof core.services.patients,
      },
      (line) => logged.push(line),
    );
    const result = await registry.invoke('patients.list', { query: 'maria' });
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain('Maria');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('patients.list failed: Error');
    expect(logged[0]).not.toContain('Maria');
    expect(logged[0]).not.toContain('1986');
  });

  it('delivers data.changed and sync.status events after a local write, and stops on unsubscribe', async () => {
    await signInOffline(core);
    const changed: IpcEvents['data.changed'][] = [];
    const statuses: IpcEvents['sync.status'][] = [];
    const off = core.registry.on('data.changed', (p) => changed.push(p));
    core.registry.on('sync.status', (s) => statuses.push(s));
    await core.registry.invoke('patients.preRegister', { form: mariaForm(), sendInvitation: true });
    expect(changed).toEqual([{ tables: ['patient', 'invitation'] }]);
    await expect.poll(() => statuses.at(-1)?.pending).toBe(1);
    off();
    await core.registry.invoke('patients.preRegister', { form: mariaForm({ email: 'b@example.com' }), sendInvitation: false });
    expect(changed).toHaveLength(1);
  });
});
