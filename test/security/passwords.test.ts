import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClinicEntity } from '../../shared/node/entities/server';
import type { HostilePortal } from './helpers';
import { DEMO, expectRefused, signInPatient, startHostilePortal } from './helpers';

/**
 * Guessable passwords that pass the old length-and-character rules: every staff password, and a
 * patient's under the clinic's passphrase policy, is judged on the server by zxcvbn (English and
 * Spanish dictionaries). Each refusal changes nothing.
 */
let hp: HostilePortal;
beforeAll(async () => {
  hp = await startHostilePortal();
});
afterAll(async () => {
  await hp.stop();
});

const passwordHashes = async (table: 'staff_user' | 'patient_account'): Promise<string[]> =>
  (await hp.rows<{ id: string; passwordHash: string }>(`SELECT id, passwordHash FROM "${table}" ORDER BY id`)).map((r) => `${r.id}:${r.passwordHash}`);
const expectTooGuessable = (res: { status: number; body: unknown; headers: Headers; text: string }): void => {
  expectRefused(res, 400, 'validation_failed');
  expect((res.body as { error: { fields?: Record<string, string> } }).error.fields?.password).toMatch(/^This password is too easy to guess\./);
};

describe('password strength', () => {
  it('an admin cannot create a staff account, or reset a colleague, with a guessable password that meets the 8-character rule', async () => {
    const before = await hp.snapshot(['staff_user', 'change_log', 'device']);
    // Each has 8+ characters, a number and a capital letter; each is in a dictionary or a pattern.
    for (const password of ['Password1', 'Desk2Work', 'Qwerty123!', 'Contraseña1', 'Verano2024', 'Riverside1']) {
      expectTooGuessable(await hp.admin.call('/api/staff/users', { method: 'POST', body: { username: 'newdesk7', displayName: 'New Desk', role: 'receptionist', password } }));
      expectTooGuessable(await hp.admin.call(`/api/staff/users/${hp.receptionist.staffId}/password`, { method: 'POST', body: { password } }));
    }
    expect(await hp.snapshot(['staff_user', 'change_log', 'device'])).toEqual(before);
    const created = await hp.admin.call('/api/staff/users', { method: 'POST', body: { username: 'newdesk7', displayName: 'New Desk', role: 'receptionist', password: 'Copper-Kettle-Desk-81' } });
    expect(created.status).toBe(201);
  });

  it("under the passphrase policy a long but guessable passphrase is refused (English and Spanish words alike); the guide's rule stays the default", async () => {
    const ana = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
    const change = (password: string) => ana.send('/api/account/password', { currentPassword: hp.ana.password, password, confirmPassword: password });
    // The default policy is the patient guide's rule, exactly: Password1-style passwords still pass it.
    expect((await hp.rows<{ passwordPolicy: string }>('SELECT passwordPolicy FROM clinic'))[0]?.passwordPolicy).toBe('default');
    await hp.db.write((m) => m.update(ClinicEntity, { name: DEMO.clinic.name }, { passwordPolicy: 'strong' }));
    try {
      const before = await passwordHashes('patient_account');
      for (const phrase of ['passwordpassword1', 'primavera verano otoño', 'AnaSilva22AnaSilva22', 'monday tuesday wednesday']) {
        expectTooGuessable(await change(phrase));
      }
      expect(await passwordHashes('patient_account')).toEqual(before);
      expect((await change('lantern meadow copper 42')).status).toBe(204);
    } finally {
      await hp.db.write((m) => m.update(ClinicEntity, { name: DEMO.clinic.name }, { passwordPolicy: 'default' }));
    }
  });
});
