/** A console far behind the server catches up page by page and says how far it is. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatchUpProgress, SyncStatus } from '../../shared/ipc/contract';
import { TEST_CLINIC, TestConsole, signInStaff, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import { LocalPatientEntity } from '../replica/entities';
import { getCursor } from '../replica/syncState';
import type { FetchLike } from '../net/serverClient';
import { startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

const PATIENTS = 12;
const PAGE = 5;

let portal: TestPortal;
let core: TestCore | null = null;
let head = 0;

beforeEach(async () => {
  portal = await startTestPortal();
  const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  const desk = new TestConsole(portal.url, admin.token);
  for (let i = 0; i < PATIENTS; i += 1) {
    const { response } = await desk.preRegister({ givenName: `Patient${String.fromCharCode(65 + i)}`, email: `p${i}@example.com` });
    expect(response.outcomes[0]?.status).toBe('applied');
  }
  head = (await portal.handle.context.db.read((m) => m.query('SELECT seq FROM sync_counter WHERE id = 1')) as [{ seq: number }])[0].seq;
});
afterEach(async () => {
  await core?.dispose();
  core = null;
  await portal.stop();
});

/** A console that records every status it publishes, signed in (which starts its first sync). */
async function catchingUp(fetch?: FetchLike): Promise<{ core: TestCore; statuses: SyncStatus[] }> {
  core = await startTestCore({ serverUrl: portal.url, sync: { pageSize: PAGE }, ...(fetch ? { fetch } : {}) });
  const statuses: SyncStatus[] = [];
  core.events.on('sync.status', (s) => statuses.push(s));
  await core.services.auth.signIn({ username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword });
  await core.engine.syncNow();
  return { core, statuses };
}

const progressOf = (statuses: SyncStatus[]) => statuses.map((s) => s.catchUp).filter((c): c is CatchUpProgress => c !== null);

describe('catching up on many changes', () => {
  it('publishes progress after each page of a pull more than a page behind, then null', async () => {
    const { core: c, statuses } = await catchingUp();
    const progress = progressOf(statuses);
    // Signing in adds to the log too (the device): the pull ends at the head as it was then.
    head = (await c.db.read(getCursor)).seq;
    const pages = Math.ceil(head / PAGE);
    // Every page but the last reports; a status is published only when it differs from the last.
    expect(progress.length).toBe(pages - 1);
    expect(progress.map((p) => p.applied)).toEqual(Array.from({ length: pages - 1 }, (_, i) => (i + 1) * PAGE));
    expect(progress.every((p) => p.total === head)).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ catchUp: null, syncing: false, online: true });
    expect(await c.db.read((m) => m.count(LocalPatientEntity))).toBe(PATIENTS);
    expect((await c.db.read(getCursor)).seq).toBe(head);
  });

  it('a pull that fails halfway keeps the pages it applied and shows no progress any more', async () => {
    let pulls = 0;
    const failThird: FetchLike = (input, init) => {
      if (String(input).includes('/api/sync/pull') && (pulls += 1) === 3) {
        return Promise.reject(new TypeError('fetch failed'));
      }
      return fetch(input, init);
    };
    const { core: c, statuses } = await catchingUp(failThird);
    expect(progressOf(statuses).length).toBeGreaterThan(0);
    const firstProgress = statuses.findIndex((s) => s.catchUp !== null);
    const failed = statuses.findIndex((s, i) => i > firstProgress && !s.online && !s.syncing);
    expect(failed).toBeGreaterThan(firstProgress);
    expect(statuses[failed]?.catchUp).toBeNull();
    // The retry (backoff) finishes the catch-up from where the pages left off.
    await expect.poll(() => c.db.read(getCursor).then((cursor) => cursor.seq), { timeout: 10_000 }).toBeGreaterThanOrEqual(head);
    expect(await c.db.read((m) => m.count(LocalPatientEntity))).toBe(PATIENTS);
    expect(statuses.at(-1)?.catchUp).toBeNull();
  });
});
