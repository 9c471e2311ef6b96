import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPortal } from '../../test/fixtures/portal';
import { startTestPortal } from '../../test/fixtures/portal';
import type { TestCore } from '../testSupport';
import { mariaForm, signInOffline, startTestCore } from '../testSupport';

let portal: TestPortal;
let core: TestCore;
beforeAll(async () => {
  portal = await startTestPortal();
  core = await startTestCore();
});
afterAll(async () => {
  await core?.dispose();
  await portal?.stop();
});

/** Credentials that would not work either: the desk's own refusals come before the server is asked. */
const joining = () => ({ address: portal.url, username: 'admin1', password: 'Not-The-Password-1' });
const config = () => (existsSync(join(core.dataDir, 'console.json')) ? readFileSync(join(core.dataDir, 'console.json'), 'utf8') : '');

describe('server.connect (moving this desk to another server)', () => {
  it('is refused on a console that hosts a clinic\'s records, and nothing is saved', async () => {
    const hosting = await startTestCore({ host: { url: portal.url, isSetUp: () => Promise.resolve(true), setupClinic: () => Promise.reject(new Error('unused')), setupEnrolment: () => Promise.reject(new Error('unused')) } });
    try {
      expect(await hosting.registry.invoke('server.connect', joining())).toMatchObject({ ok: false, error: { code: 'conflict', message: /keeps the clinic's records/ } });
      expect(existsSync(join(hosting.dataDir, 'console.json'))).toBe(false);
    } finally {
      await hosting.dispose();
    }
  });

  it('is refused while someone is signed in, and while changes wait to be sent; nothing is saved', async () => {
    const before = config();
    await signInOffline(core);
    await core.services.patients.preRegister(mariaForm(), true);
    expect(await core.registry.invoke('server.connect', joining())).toMatchObject({ ok: false, error: { code: 'conflict', message: /Sign out first/ } });
    expect(config()).toBe(before);
    // The server screen is for administrators; this desk's person is a receptionist.
    expect(await core.registry.invoke('server.current', undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await core.registry.invoke('server.test', undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    await core.session.forget();
    expect((await core.session.state()).signedIn).toBe(false);
    expect(await core.registry.invoke('server.connect', joining())).toMatchObject({ ok: false, error: { code: 'conflict', message: /1 change made on this computer has not reached/ } });
    expect(config()).toBe(before);
    // The same server is accepted by the check itself: only the waiting change stood in the way.
    expect(await core.registry.invoke('server.check', { address: portal.url })).toMatchObject({ ok: true, value: { url: portal.url, fingerprint256: null } });
  });
});
