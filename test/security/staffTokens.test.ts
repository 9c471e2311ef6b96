import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostilePortal } from './helpers';
import { DEMO, Desk, expectRefused, signInStaff, startHostilePortal } from './helpers';

/** Staff device tokens: what ends them (a password reset, their age, idleness). */
let hp: HostilePortal;

beforeAll(async () => {
  hp = await startHostilePortal();
});
afterAll(async () => {
  await hp.stop();
});

const secondConsole = async (who: { username: string; password: string }): Promise<Desk> => {
  const s = await signInStaff(hp.url, who.username, who.password);
  return new Desk(hp.url, s.token, s.staff.id);
};

describe('an admin resetting their own password', () => {
  it("signs out their other consoles (someone who knew the old password may sit there) and keeps the one they did it from", async () => {
    const elsewhere = await secondConsole(DEMO.admin);
    const here = await secondConsole(DEMO.admin);
    expect((await elsewhere.call('/api/staff/me')).status).toBe(200);

    const reset = await here.call(`/api/staff/users/${here.staffId}/password`, { body: { password: 'Admin2GoAgain' } });
    expect(reset.status).toBe(200);

    expectRefused(await elsewhere.call('/api/staff/me'), 401, 'not_signed_in');
    const staffBefore = await hp.snapshot(['staff_user', 'change_log']);
    expectRefused(await elsewhere.call('/api/staff/users', { body: { username: 'sneaky', displayName: 'Sneaky', role: 'admin', password: 'Sneaky2Go' } }), 401, 'not_signed_in');
    expect(await hp.snapshot(['staff_user', 'change_log'])).toEqual(staffBefore);
    expect((await here.call('/api/staff/me')).status).toBe(200);
    // Put the demo password back for the other cases.
    expect((await here.call(`/api/staff/users/${here.staffId}/password`, { body: { password: DEMO.admin.password } })).status).toBe(200);
  });
});
