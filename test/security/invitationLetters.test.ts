import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../shared/api/errors';
import { InvitationEntity, PatientAccountEntity } from '../../shared/node/entities/server';
import { SYNC_PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../shared/sync/protocol';
import type { TestPortal } from '../fixtures/portal';
import { TEST_CLINIC, TestConsole, addStaff, api, signInStaff, startTestPortal } from '../fixtures/portal';

/**
 * Hostile: a printed letter is a secret on paper. Reprinting (a lost or stolen letter) must make
 * the earlier Registration ID useless, and the ID never leaves the server except inside the PDF.
 */
let portal: TestPortal;
let desk: TestConsole;
let token: string;
beforeAll(async () => {
  portal = await startTestPortal();
  const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  token = await addStaff(portal.url, admin.token, 'hostiledesk', 'receptionist');
  desk = new TestConsole(portal.url, token);
});
afterAll(async () => {
  await portal.stop();
});

async function letterId(patientId: string): Promise<string> {
  const res = await fetch(`${portal.url}/api/staff/patients/${patientId}/invitation-letter`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, [SYNC_PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION) },
  });
  expect(res.status).toBe(201);
  const text = execFileSync('pdftotext', ['-', '-'], { input: Buffer.from(await res.arrayBuffer()), encoding: 'utf8' });
  return /Your Registration ID:\s*([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(text)?.[1] ?? '';
}

const byId = (registrationId: string) =>
  api<ApiErrorResponse>(portal.url, '/api/registration/by-registration-id', {
    body: { username: `Thief${randomUUID().slice(0, 6)}`, password: 'Password1', confirmPassword: 'Password1', question1: 'first-pet', answer1: 'Rex', question2: 'birth-city', answer2: 'Springfield', dateOfBirth: '09/30/1975', registrationId },
  });

describe('reprinting an invitation letter', () => {
  it('makes the earlier letter’s Registration ID stop working; only the newest registers', async () => {
    const { patientId } = await desk.preRegister({ givenName: 'Robert', familyName: 'Chen', email: '', phone: '555 0199', dateOfBirth: '1975-09-30', invitationId: null });
    const stolen = await letterId(patientId);
    const reprinted = await letterId(patientId);
    expect(reprinted).not.toBe(stolen);
    const accounts = await portal.handle.context.db.read((m) => m.count(PatientAccountEntity));
    const thief = await byId(stolen);
    expect(thief.status).toBe(410);
    expect(thief.body.error.code).toBe('invitation_revoked');
    expect(await portal.handle.context.db.read((m) => m.count(PatientAccountEntity))).toBe(accounts);
    const live = await portal.handle.context.db.read((m) => m.findBy(InvitationEntity, { patientId, status: 'sent' }));
    expect(live).toHaveLength(1);
    expect((await byId(reprinted)).status).toBe(201);
  });

  it('never hands the Registration ID to a console in a pull, only inside the PDF', async () => {
    const { patientId } = await desk.preRegister({ givenName: 'Rae', familyName: 'Paper', email: '', phone: '555 0198', dateOfBirth: '1975-09-30', invitationId: null });
    const id = await letterId(patientId);
    const pull = await api<unknown>(portal.url, '/api/sync/pull?epoch=&seq=0&limit=1000', { token });
    const pulled = JSON.stringify(pull.body);
    expect(pulled).toContain(patientId);
    expect(pulled).not.toContain(id);
    expect(pulled).not.toContain(id.replace('-', ''));
  });
});
