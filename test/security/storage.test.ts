import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMails } from '../fixtures/mail';
import type { HostilePortal } from './helpers';
import { http, nextIp, signInPatient, startHostilePortal } from './helpers';
import { onPostgres, startTestPortal } from '../fixtures/portal';

/**
 * A copied database and another account on the server machine: the files are the service
 * account's alone, and what a copy holds is no key to anyone's account.
 */
let hp: HostilePortal;
beforeAll(async () => {
  hp = await startHostilePortal();
});
afterAll(async () => {
  await hp.stop();
});

/**
 * The database as a copy of DATA_DIR holds it right now: the main file with its free pages and the
 * WAL, read as they lie on disk — neither checkpointed nor truncated first.
 */
const filesOnDisk = (): { file: string; bytes: string }[] =>
  readdirSync(hp.portal.dataDir)
    .filter((f) => f === 'portal.sqlite' || f === 'portal.sqlite-wal')
    .sort()
    .map((file) => ({ file, bytes: readFileSync(join(hp.portal.dataDir, file)).toString('latin1') }));

const resetTokenOf = (html: string): string => decodeURIComponent(/href="[^"]+\/reset-password#token=([^"]+)"/.exec(html)?.[1] ?? '');

// The database's files: SQLite's. On PostgreSQL (npm run test:postgres) they belong to the database
// server, not to this service; the hashing these tests check does not depend on the engine.
describe.skipIf(onPostgres)('files on the server', () => {
  it("the database, its WAL files and the secret are readable and writable by the service account only (0600)", async () => {
    await signInPatient(hp.url, hp.ana.username, hp.ana.password);
    const files = ['portal.sqlite', 'portal.sqlite-wal', 'portal.sqlite-shm', 'secret'].filter((f) => existsSync(join(hp.portal.dataDir, f)));
    expect(files).toEqual(expect.arrayContaining(['portal.sqlite', 'secret']));
    for (const file of files) {
      expect({ file, mode: (statSync(join(hp.portal.dataDir, file)).mode & 0o777).toString(8) }).toEqual({ file, mode: '600' });
    }
  });

  it('DATA_DIR and its mail folder are made 0700, and folders an older version made 0755 are narrowed', async () => {
    const mode = (dir: string) => (statSync(dir).mode & 0o777).toString(8);
    const root = mkdtempSync(join(tmpdir(), 'portal-folders-'));
    try {
      // A fresh DATA_DIR the server makes itself (mkdtemp would already be 0700).
      const fresh = join(root, 'fresh', 'data');
      const first = await startTestPortal({ dataDir: fresh });
      await first.stop();
      expect(mode(fresh)).toBe('700');
      expect(mode(join(fresh, 'mail'))).toBe('700');
      // Folders left open by an older version.
      const old = join(root, 'old');
      mkdirSync(join(old, 'mail'), { recursive: true });
      chmodSync(old, 0o755);
      chmodSync(join(old, 'mail'), 0o755);
      const second = await startTestPortal({ dataDir: old });
      await second.handle.flushMail();
      await second.stop();
      expect({ dataDir: mode(old), mail: mode(join(old, 'mail')) }).toEqual({ dataDir: '700', mail: '700' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a copy of the database, its WAL and free pages included, holds no link token, Registration ID, recovery code, session id or device token in clear', async () => {
    const inv = await hp.invite();
    const recovery = await http(hp.url, '/api/recovery/start', { body: { kind: 'password', username: hp.james.username }, headers: { origin: hp.url, 'x-forwarded-for': nextIp() } });
    expect(recovery.status).toBe(202);
    const reset = await hp.receptionist.call(`/api/staff/patients/${hp.ana.patientId}/password-reset`, { method: 'POST' });
    expect(reset.status).toBe(202);
    await hp.portal.handle.flushMail();
    const mails = await readMails(hp.portal.mailDir);
    const code = mails.filter((m) => m.to.includes('james.walker@example.com')).at(-1)?.code ?? '';
    expect(code).toMatch(/^\d{6}$/);
    const resetToken = resetTokenOf(mails.filter((m) => m.subject.startsWith('Set a new password')).at(-1)?.html ?? '');
    expect(resetToken.length).toBeGreaterThan(20);
    const session = await signInPatient(hp.url, hp.ana.username, hp.ana.password);
    const secrets = [
      ['invitation link token', inv.token],
      ['Registration ID', inv.registrationId],
      ['Registration ID as queued', inv.registrationId.replace('-', '')],
      ['recovery code as queued', `"code":"${code}"`],
      ['password reset link token', resetToken],
      ['session id', session.cookie],
      ['device token', hp.receptionist.token],
    ] as const;
    const look = (): { file: string; what: string; found: boolean }[] =>
      filesOnDisk().flatMap(({ file, bytes }) => secrets.map(([what, secret]) => ({ file, what, found: bytes.includes(secret) })));
    // As the files lie: the mails' rows went through the WAL (written, sent, scrubbed).
    const files = filesOnDisk();
    expect(files.map((f) => f.file)).toEqual(['portal.sqlite', 'portal.sqlite-wal']);
    expect(files.find((f) => f.file === 'portal.sqlite-wal')?.bytes.length ?? 0).toBeGreaterThan(0);
    expect(look().filter((hit) => hit.found)).toEqual([]);
    // After SQLite copies those pages into the main file (the WAL stays as it is): still nothing.
    // On the writing connection (readers are read-only); the server's background checkpoint may be
    // running at that instant (busy: 1), so until one of ours copied the whole WAL itself.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const [result] = (await hp.db.write((m) => m.query('PRAGMA wal_checkpoint(PASSIVE)'), { oneStatement: true })) as { busy: number; log: number; checkpointed: number }[];
      if ((result?.busy === 0 && result.log === result.checkpointed) || Date.now() > deadline) {
        expect(result).toMatchObject({ busy: 0 });
        expect(result?.checkpointed).toBe(result?.log);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(look().filter((hit) => hit.found)).toEqual([]);
  });
});
