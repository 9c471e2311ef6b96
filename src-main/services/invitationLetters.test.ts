import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalInvitationEntity } from '../replica/entities';
import { TEST_CLINIC, startTestPortal } from '../../test/fixtures/portal';
import type { TestPortal } from '../../test/fixtures/portal';
import { startSignedInCore, startTestCore } from '../testSupport';
import type { TestCore } from '../testSupport';

/** Printing an invitation letter through the console's IPC handler, against a real portal server. */
let portal: TestPortal;
let desk: TestCore;
const opened: string[] = [];

beforeAll(async () => {
  portal = await startTestPortal();
  desk = await startSignedInCore(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword, {
    openFile: (file) => {
      opened.push(file);
      return Promise.resolve();
    },
  });
});
afterAll(async () => {
  await desk.dispose();
  await portal.stop();
});

async function robert(): Promise<string> {
  const item = await desk.services.patients.preRegister({ givenName: 'Robert', familyName: 'Chen', dateOfBirth: '09/30/1975', email: '', phone: '(555) 010-4477' }, true);
  await desk.engine.syncNow();
  return item.patient.id;
}

describe('invitations.printLetter', () => {
  it('saves the server’s PDF in the console’s folder (this account only), opens it, and the new invitation arrives', async () => {
    const patientId = await robert();
    const result = await desk.registry.invoke('invitations.printLetter', { patientId });
    if (!result.ok) {
      throw new Error(JSON.stringify(result.error));
    }
    const { file } = result.value as { file: string };
    expect(file.startsWith(desk.dataDir)).toBe(true);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(opened).toContain(file);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(text).toMatch(/Your Registration ID:\s*[A-Z0-9]{4}-[A-Z0-9]{4}/);
    expect(text).toContain(TEST_CLINIC.name);
    await expect.poll(async () => (await desk.db.read((m) => m.findBy(LocalInvitationEntity, { patientId }))).map((i) => i.status), { timeout: 10_000 }).toEqual(['sent']);
  });

  it('refuses on a console nobody is signed in to, and opens nothing', async () => {
    const offline = await startTestCore();
    try {
      const before = opened.length;
      const result = await offline.registry.invoke('invitations.printLetter', { patientId: '00000000-0000-4000-8000-000000000000' });
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.error.code).toBe('not_signed_in');
      expect(opened.length).toBe(before);
    } finally {
      await offline.dispose();
    }
  });

  it('passes the server’s refusal on, and rejects arguments of the wrong shape', async () => {
    const unknown = await desk.registry.invoke('invitations.printLetter', { patientId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const wrong = await desk.registry.invoke('invitations.printLetter', { patientId: 42 });
    expect(wrong.ok).toBe(false);
  });
});
