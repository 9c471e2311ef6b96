import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredMail } from '../fixtures/mail';
import { readMails } from '../fixtures/mail';
import type { HostilePortal } from './helpers';
import { http, nextIp, startHostilePortal } from './helpers';

/**
 * A receptionist who wants a patient's account: change the address on file, send a password
 * link, set a password. The owner of the old address must hear of both steps, and the audit must
 * show them.
 */
let hp: HostilePortal;
beforeAll(async () => {
  hp = await startHostilePortal();
});
afterAll(async () => {
  await hp.stop();
});

const mailsTo = async (address: string): Promise<DeliveredMail[]> => {
  await hp.portal.handle.flushMail();
  return (await readMails(hp.portal.mailDir)).filter((m) => m.to.toLowerCase().includes(address.toLowerCase()));
};
const versionOf = async (patientId: string): Promise<number> =>
  Number((await hp.rows<{ version: number }>('SELECT version FROM patient WHERE id = ?', [patientId]))[0]?.version);
const auditOf = (patientId: string, action: string) =>
  hp.rows<{ actorKind: string; detail: string | null }>('SELECT actorKind, detail FROM audit_event WHERE entity = ? AND entityId = ? AND action = ? ORDER BY at', ['patient', patientId, action]);
const resetTokenOf = (m: DeliveredMail | undefined): string => decodeURIComponent(/href="[^"]+\/reset-password#token=([^"]+)"/.exec(m?.html ?? '')?.[1] ?? '');
const setPasswordByLink = (token: string, password: string) =>
  http(hp.url, '/api/password-reset', { body: { token, password, confirmPassword: password }, headers: { origin: hp.url, 'x-forwarded-for': nextIp() } });

describe('account takeover by the front desk', () => {
  it("a staff change of a registered patient's email is mailed to the old address, and the password set through the new one is mailed to both", async () => {
    const owner = 'james.walker@example.com';
    const attacker = 'desk.attacker@example.net';
    const ownerMailsBefore = (await mailsTo(owner)).length;
    const moved = await hp.receptionist.apply('updatePatient', { patientId: hp.james.patientId, baseVersion: await versionOf(hp.james.patientId), changes: { email: attacker } });
    expect(moved.status).toBe('applied');
    const sent = await hp.receptionist.call(`/api/staff/patients/${hp.james.patientId}/password-reset`, { method: 'POST' });
    expect(sent.status).toBe(202);

    const toOwner = (await mailsTo(owner)).slice(ownerMailsBefore);
    expect(toOwner.map((m) => m.subject)).toEqual(['The email address of your Riverside Family Clinic Patient Portal account was changed']);
    const notice = toOwner[0] as DeliveredMail;
    expect(notice.text).toContain('If you did not ask for this, call Riverside Family Clinic');
    // Nothing the owner's mailbox should not get: no link, not the new address, no name.
    expect([notice.text, notice.html].join('\n')).not.toMatch(/reset-password|desk\.attacker|James|Walker/);

    const token = resetTokenOf((await mailsTo(attacker)).at(-1));
    expect(token.length).toBeGreaterThan(20);
    expect((await setPasswordByLink(token, 'Takeover9x')).status).toBe(204);
    const afterReset = (await mailsTo(owner)).slice(ownerMailsBefore).map((m) => m.subject);
    expect(afterReset).toEqual([
      'The email address of your Riverside Family Clinic Patient Portal account was changed',
      'Your Riverside Family Clinic Patient Portal password was changed',
    ]);
    expect((await mailsTo(attacker)).map((m) => m.subject).at(-1)).toBe('Your Riverside Family Clinic Patient Portal password was changed');

    expect(await auditOf(hp.james.patientId, 'patient.email_change_notice')).toEqual([{ actorKind: 'staff', detail: 'mail=previous-address' }]);
    expect(await auditOf(hp.james.patientId, 'patient.password_change_notice')).toEqual([{ actorKind: 'patient', detail: 'mail=current-address previous-addresses=1' }]);
  });

  it('a password set from a front-desk link is mailed as changed to the patient; a change of other details mails nothing', async () => {
    const ana = 'ana.silva@example.com';
    const before = (await mailsTo(ana)).length;
    const edited = await hp.receptionist.apply('updatePatient', { patientId: hp.ana.patientId, baseVersion: await versionOf(hp.ana.patientId), changes: { phone: '555-0199', email: 'ANA.SILVA@example.com' } });
    expect(edited.status).toBe('applied');
    expect(await mailsTo(ana)).toHaveLength(before);
    expect(await auditOf(hp.ana.patientId, 'patient.email_change_notice')).toEqual([]);

    expect((await hp.receptionist.call(`/api/staff/patients/${hp.ana.patientId}/password-reset`, { method: 'POST' })).status).toBe(202);
    const token = resetTokenOf((await mailsTo(ana)).at(-1));
    expect((await setPasswordByLink(token, 'Newpass42x')).status).toBe(204);
    const subjects = (await mailsTo(ana)).slice(before).map((m) => m.subject);
    expect(subjects).toEqual(['Set a new password for your Riverside Family Clinic Patient Portal', 'Your Riverside Family Clinic Patient Portal password was changed']);
    expect(await auditOf(hp.ana.patientId, 'patient.password_change_notice')).toEqual([{ actorKind: 'patient', detail: 'mail=current-address' }]);
  });
});
