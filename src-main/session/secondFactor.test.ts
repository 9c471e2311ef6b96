import { generate } from 'otplib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SecondFactorEnrolment } from '../../shared/api/types';
import { SecondFactorEntity } from '../../shared/node/entities/secondFactor';
import { StaffUserEntity } from '../../shared/node/entities/server';
import { TEST_CLINIC, addStaff, api, signInStaff, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import { joinUrl } from '../net/serverClient';
import { getState } from '../replica/syncState';
import { startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

/**
 * Issue 13 in the console, against a real portal server: a quick switch to a person with a second
 * factor asks for their code and changes nothing without it; the person signed in unlocking their
 * own console proves the password only; "trust this computer" skips the code for that person.
 */
let portal: TestPortal;
let core: TestCore;
let secret = '';

const admin = { username: TEST_CLINIC.adminUsername, password: TEST_CLINIC.adminPassword };
const desk = { username: 'desk2fa', password: 'Copper-Kettle-Desk-81' };
const code = () => generate({ secret, epoch: Math.floor(Date.now() / 1000) });
/** Each test starts from a factor whose codes are unused (codes are single-use per 30-second step). */
const freshStep = () => portal.handle.context.db.write((m) => m.createQueryBuilder().update(SecondFactorEntity).set({ lastUsedStep: 0 }).execute());
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as { code: string; message: string });

beforeAll(async () => {
  portal = await startTestPortal();
  const adminToken = (await signInStaff(portal.url, admin.username, admin.password)).token;
  await addStaff(portal.url, adminToken, desk.username, 'receptionist', desk.password);
  const started = await api<SecondFactorEnrolment>(portal.url, '/api/staff/second-factor/enrolment', { body: {}, token: adminToken });
  secret = started.body.secret;
  expect((await api(portal.url, '/api/staff/second-factor/confirm', { body: { code: await code() }, token: adminToken })).status).toBe(200);
});
afterAll(async () => {
  await portal.stop();
});
beforeEach(async () => {
  await freshStep();
  core = await startTestCore({ serverUrl: portal.url });
});
afterEach(async () => {
  await core.dispose();
});

const adminId = () => portal.handle.context.db.read(async (m) => (await m.findOneByOrFail(StaffUserEntity, { username: admin.username })).id);

describe('the second factor at the console', () => {
  it('a first sign-in without the code is refused and keeps nobody signed in', async () => {
    const refused = await failure(core.services.auth.signIn(admin));
    expect(refused?.code).toBe('second_factor_required');
    expect((await core.services.auth.status()).mode).toBe('sign-in');
    const signedIn = await core.services.auth.signIn({ ...admin, code: await code() });
    expect(signedIn.staff?.id).toBe(await adminId());
  });

  it('a quick switch to a person with a second factor asks for the code; without it the desk stays signed in, locked', async () => {
    await core.services.auth.signIn(desk);
    const deskToken = await core.session.token();
    await core.services.lock.lock();

    const refused = await failure(core.services.lock.unlock(admin));
    expect(refused?.code).toBe('second_factor_required');
    const after = await core.services.auth.status();
    expect(after.staff?.username).toBe(desk.username);
    expect(after.locked).toBe(true);
    expect(await core.session.token()).toBe(deskToken);

    const switched = await core.services.lock.unlock({ ...admin, code: await code() });
    expect(switched.staff?.username).toBe(admin.username);
    expect(switched.locked).toBe(false);
  });

  it('the same person unlocking their own console gives the password only', async () => {
    await core.services.auth.signIn({ ...admin, code: await code() });
    await core.services.lock.lock();
    const unlocked = await core.services.lock.unlock(admin);
    expect(unlocked.staff?.username).toBe(admin.username);
    expect(unlocked.locked).toBe(false);
  });

  it('"trust this computer" keeps a token for that person here; their next switch needs no code', async () => {
    await core.services.auth.signIn(desk);
    await core.services.lock.lock();
    await core.services.lock.unlock({ ...admin, code: await code(), trustComputer: true });
    const kept = await core.db.read((m) => getState(m, 'trustTokens'));
    // Kept under this server and the person: another server never gets it.
    expect(kept?.[`${joinUrl(portal.url, '').toLowerCase()} ${admin.username.toLowerCase()}`]?.staffUserId).toBe(await adminId());
    await core.services.lock.lock();
    await core.services.lock.unlock(desk);
    await core.services.lock.lock();
    const trusted = await core.services.lock.unlock(admin);
    expect(trusted.staff?.username).toBe(admin.username);
  });

  it('a person sets up their own second factor from the console (QR as a data: image, recovery codes once); their next sign-in asks for it', async () => {
    await core.services.auth.signIn(desk);
    const before = (await core.registry.invoke('account.secondFactor', undefined)) as { ok: true; value: { enrolled: boolean } };
    expect(before.value.enrolled).toBe(false);
    const started = (await core.registry.invoke('account.startSecondFactor', undefined)) as { ok: true; value: { secret: string; qrDataUrl: string } };
    expect(started.value.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    const right = await generate({ secret: started.value.secret });
    const wrong = await core.registry.invoke('account.confirmSecondFactor', { code: right === '000000' ? '111111' : '000000' });
    expect(wrong.ok).toBe(false);
    const confirmed = (await core.registry.invoke('account.confirmSecondFactor', { code: right })) as { ok: true; value: { recoveryCodes: string[] } };
    expect(confirmed.value.recoveryCodes).toHaveLength(10);
    // New recovery codes need a code the factor has not used yet (the next step is inside the ±1 window).
    const next = await generate({ secret: started.value.secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    expect((await core.registry.invoke('account.renewRecoveryCodes', { code: right })).ok).toBe(false);
    const renewed = (await core.registry.invoke('account.renewRecoveryCodes', { code: next })) as { ok: true; value: { recoveryCodes: string[] } };
    expect(renewed.value.recoveryCodes).toHaveLength(10);
    expect(renewed.value.recoveryCodes.some((c) => confirmed.value.recoveryCodes.includes(c))).toBe(false);
    await core.services.auth.signOut();
    expect((await failure(core.services.auth.signIn(desk)))?.code).toBe('second_factor_required');
  });
});
