/** Pokes carry the few changes since the previous poke, and only to consoles still signed in. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncPoke } from '../../../../shared/sync/protocol';
import type { PokeLog } from '../../../../test/fixtures/events';
import { listenPokes } from '../../../../test/fixtures/events';
import { TEST_CLINIC, TestConsole, api, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { MAX_STREAMS_PER_DEVICE } from './changeHub';

let portal: TestPortal;
const opened: PokeLog[] = [];

beforeEach(async () => {
  portal = await startTestPortal();
});
afterEach(async () => {
  opened.splice(0).forEach((log) => log.close());
  await portal.stop();
});

/** An open event stream as `token`, closed after the test. */
async function listen(token: string): Promise<PokeLog> {
  const log = await listenPokes(portal.url, token);
  opened.push(log);
  await expect.poll(() => log.pokes.length).toBe(1);
  return log;
}

describe('pokes with their changes', () => {
  it('carry the changes since the previous poke, as a pull would give them; a revoked console\'s stream ends at once', async () => {
    const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
    const other = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
    const desk = new TestConsole(portal.url, admin.token);
    const kept = await listen(admin.token);
    const revoked = await listen(other.token);

    // The first poke only names the head; the next carries what came after it.
    const { patientId } = await desk.preRegister({ givenName: 'Ana' });
    await portal.handle.flushMail();
    await expect.poll(() => kept.pokes.length).toBeGreaterThanOrEqual(2);
    const before = kept.head;
    expect((await api(portal.url, `/api/staff/devices/${other.deviceId}/revoke`, { token: admin.token, body: {} })).status).toBeLessThan(300);
    await expect.poll(() => revoked.ended).toBe(true);
    const res = await desk.push([desk.mutation('updatePatient', { patientId, baseVersion: 1, changes: { familyName: 'Silva' } })]);
    expect(res.body.outcomes[0]?.status).toBe('applied');
    // The poke that carries the edit (the invitation's mailing may come in a poke of its own first).
    const carriesEdit = (p: SyncPoke) => (p.page?.changes ?? []).some((c) => c.op === 'upsert' && c.table === 'patient' && c.row.id === patientId && c.row.familyName === 'Silva');
    await expect.poll(() => kept.pokes.some(carriesEdit)).toBe(true);
    const poke = kept.pokes.find(carriesEdit) as SyncPoke;
    const page = poke.page as NonNullable<SyncPoke['page']>;
    expect(page.from).toBeGreaterThanOrEqual(before);
    const pulled = await api<{ changes: unknown[]; cursor: unknown }>(portal.url, `/api/sync/pull?epoch=${poke.epoch}&seq=${page.from}`, { token: admin.token });
    // The page is what a pull from its start gives, as far as the page goes.
    expect(pulled.body.changes.slice(0, page.changes.length)).toEqual(page.changes);
    // The revoked console's stream was ended at once: it heard nothing of the change.
    expect(revoked.ended).toBe(true);
    const editSeq = page.changes.find((c) => c.table === 'patient')?.seq ?? 0;
    expect(editSeq).toBeGreaterThan(before);
    expect(revoked.pokes.filter((p) => p.head >= editSeq)).toEqual([]);
    expect(revoked.pokes.some((p) => p.page !== undefined)).toBe(true);
  });

  it('a console holds at most MAX_STREAMS_PER_DEVICE streams: a new one ends its oldest', async () => {
    const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
    const streams: PokeLog[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_DEVICE; i += 1) {
      streams.push(await listen(admin.token));
    }
    expect(streams.some((s) => s.ended)).toBe(false);
    const newest = await listen(admin.token);
    await expect.poll(() => streams[0]?.ended).toBe(true);
    expect(streams.slice(1).some((s) => s.ended)).toBe(false);
    expect(newest.ended).toBe(false);
    expect(portal.handle.context.changes.size).toBe(MAX_STREAMS_PER_DEVICE);
  });
});
