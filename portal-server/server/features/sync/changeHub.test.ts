/** Pokes carry the few changes since the previous poke, and only to consoles still signed in. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncPoke } from '../../../../shared/sync/protocol';
import { SYNC_PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../../../shared/sync/protocol';
import { TEST_CLINIC, TestConsole, api, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';
import type { TestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
const aborts: AbortController[] = [];

beforeEach(async () => {
  portal = await startTestPortal();
});
afterEach(async () => {
  aborts.splice(0).forEach((a) => a.abort());
  await portal.stop();
});

/** An open event stream as `token`; collects its pokes (`ended` is set when the server ends the stream). */
async function listen(token: string): Promise<SyncPoke[] & { ended?: boolean }> {
  const abort = new AbortController();
  aborts.push(abort);
  const res = await fetch(`${portal.url}/api/sync/events`, { headers: { authorization: `Bearer ${token}`, [SYNC_PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION) }, signal: abort.signal });
  expect(res.status).toBe(200);
  const pokes: SyncPoke[] & { ended?: boolean } = [];
  void (async () => {
    let text = '';
    for await (const chunk of (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const events = text.split('\n\n');
      text = events.pop() ?? '';
      for (const event of events) {
        const data = /^event: poke\ndata: (.*)$/s.exec(event)?.[1];
        if (data) {
          pokes.push(JSON.parse(data) as SyncPoke);
        }
      }
    }
    pokes.ended = true;
  })().catch(() => undefined);
  await expect.poll(() => pokes.length).toBe(1);
  return pokes;
}

const headOf = (pokes: SyncPoke[]) => pokes.at(-1)?.head ?? -1;

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
    await expect.poll(() => kept.length).toBeGreaterThanOrEqual(2);
    const before = headOf(kept);
    expect((await api(portal.url, `/api/staff/devices/${other.deviceId}/revoke`, { token: admin.token, body: {} })).status).toBeLessThan(300);
    await expect.poll(() => revoked.ended).toBe(true);
    const res = await desk.push([desk.mutation('updatePatient', { patientId, baseVersion: 1, changes: { familyName: 'Silva' } })]);
    expect(res.body.outcomes[0]?.status).toBe('applied');
    await expect.poll(() => headOf(kept)).toBeGreaterThan(before);
    const poke = kept.at(-1) as SyncPoke;
    const pulled = await api<{ changes: unknown[]; cursor: unknown }>(portal.url, `/api/sync/pull?epoch=${poke.epoch}&seq=${poke.page?.from ?? -1}`, { token: admin.token });
    expect(poke.page).toMatchObject({ from: before, changes: pulled.body.changes, cursor: pulled.body.cursor });
    expect(poke.page?.changes).toEqual([expect.objectContaining({ table: 'patient', op: 'upsert', row: expect.objectContaining({ id: patientId, familyName: 'Silva' }) })]);
    // The revoked console's stream was ended at once: it heard nothing of the change.
    expect(revoked.ended).toBe(true);
    expect(revoked.filter((p) => p.head > before)).toEqual([]);
    expect(revoked.some((p) => p.page !== undefined)).toBe(true);
  });
});
