/**
 * Several dispatchers over one outbox — instances sharing PostgreSQL, or two processes on one
 * SQLite file — send each mail once: a pass claims its mails before sending them. Runs on SQLite
 * here and on PostgreSQL in `npm run test:postgres`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Database } from '../../../../shared/node/db';
import { ClinicEntity, MailOutboxEntity, SERVER_ENTITIES } from '../../../../shared/node/entities/server';
import { SERVER_MIGRATIONS } from '../../../../shared/node/migrations/server';
import { readMails, waitForMail } from '../../../../test/fixtures/mail';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, TestConsole, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';
import { MailDispatcher } from './dispatcher';
import { enqueueMail } from './outbox';

let portal: TestPortal;
/** A second connection to the same database, as another instance (or process) has. */
let other: Database;
const mailDir = mkdtempSync(join(tmpdir(), 'portal-claim-mail-'));

beforeAll(async () => {
  portal = await startTestPortal();
  const config = portal.handle.context.config;
  other = await Database.open({ sqlitePath: join(config.dataDir, 'portal.sqlite'), databaseUrl: config.databaseUrl, entities: SERVER_ENTITIES, migrations: SERVER_MIGRATIONS });
});
afterAll(async () => {
  await other.close();
  await portal.stop();
  rmSync(mailDir, { recursive: true, force: true });
});

function dispatcher(db: Database): MailDispatcher {
  return new MailDispatcher({ db, secret: portal.handle.context.secret, now: () => new Date(), mailDir: portal.mailDir, mailFrom: 'no-reply@localhost', retryBaseMs: 20, maxTries: 3, onChange: () => undefined });
}

it('sends each of 40 queued mails once when two dispatchers on two connections pass at the same time', async () => {
  const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  const email = 'claimed.once@example.com';
  const { patientId } = await new TestConsole(portal.url, admin.token).preRegister({ email });
  await portal.handle.flushMail();
  const [clinic] = await other.read((m) => m.find(ClinicEntity, { take: 1 }));
  const clinicId = clinic?.id ?? '';
  await other.write(async (m) => {
    for (let i = 0; i < 40; i += 1) {
      await enqueueMail(m, portal.handle.context.secret, { clinicId, recipient: email, template: 'newMessage', payload: { clinicName: 'Maple Street Clinic', clinicPhone: '(555) 123-4567', signInUrl: 'http://127.0.0.1/' }, patientId }, new Date());
    }
  });
  // Only the two dispatchers under test: the portal's own one is stopped, so it can claim nothing
  // (its timers may fire at any moment on a loaded machine).
  await portal.handle.context.mail.close();
  const a = dispatcher(portal.handle.context.db);
  const b = dispatcher(other);
  try {
    await Promise.all([a.flush(), b.flush(), a.flush(), b.flush()]);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
  const sent = (await readMails(portal.mailDir)).filter((m) => m.to.includes(email) && m.registrationId === null);
  expect(sent).toHaveLength(40);
  const ids = sent.map((m) => /-([0-9a-f-]{36})\.eml$/.exec(m.file)?.[1]);
  expect(new Set(ids).size).toBe(40);
  const rows = await other.read((m) => m.find(MailOutboxEntity, { where: { patientId, template: 'newMessage' } }));
  expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'sent'));
  expect(rows.every((r) => r.claimToken === null && r.claimedUntil === null)).toBe(true);
});

it('takes the write lock only when a mail is due: a kick after a write that queued none only reads', async () => {
  const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  const { patientId } = await new TestConsole(portal.url, admin.token).preRegister({ email: 'one.due@example.com' });
  await portal.handle.context.mail.close();
  const [clinic] = await other.read((m) => m.find(ClinicEntity, { take: 1 }));
  await other.write((m) => enqueueMail(m, portal.handle.context.secret, { clinicId: clinic?.id ?? '', recipient: 'one.due@example.com', template: 'newMessage', payload: { clinicName: 'Maple Street Clinic', clinicPhone: '(555) 123-4567', signInUrl: 'http://127.0.0.1/' }, patientId }, new Date()));
  const d = dispatcher(other);
  const write = other.write.bind(other);
  let writes = 0;
  other.write = (fn) => {
    writes += 1;
    return write(fn);
  };
  try {
    await d.flush();
    // Claimed, renewed before sending, marked sent (the invitation's mail too, when the portal's
    // own dispatcher was stopped before it went).
    expect(writes).toBeGreaterThanOrEqual(3);
    expect((await readMails(portal.mailDir)).filter((m) => m.to.includes('one.due@example.com') && m.registrationId === null)).toHaveLength(1);
    writes = 0;
    await d.flush();
    await d.flush();
    expect(writes).toBe(0);
  } finally {
    other.write = write;
    await d.close();
  }
});

it('a kick with nothing due yet still sets the wake-up for a mail due soon (a retry pending at start)', async () => {
  const admin = await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword);
  const { patientId } = await new TestConsole(portal.url, admin.token).preRegister({ email: 'due.soon@example.com' });
  await portal.handle.context.mail.close();
  const [clinic] = await other.read((m) => m.find(ClinicEntity, { take: 1 }));
  await other.write(async (m) => {
    // Every mail already waiting is sent or failed: only this one is pending, due in 300 ms.
    await m.update(MailOutboxEntity, { status: 'pending' }, { status: 'failed' });
    await enqueueMail(m, portal.handle.context.secret, { clinicId: clinic?.id ?? '', recipient: 'due.soon@example.com', template: 'newMessage', payload: { clinicName: 'Maple Street Clinic', clinicPhone: '(555) 123-4567', signInUrl: 'http://127.0.0.1/' }, patientId }, new Date());
    await m.update(MailOutboxEntity, { recipient: 'due.soon@example.com', template: 'newMessage' }, { nextTryAt: new Date(Date.now() + 300).toISOString() });
  });
  const d = dispatcher(other);
  try {
    d.kick();
    // No other kick: only the dispatcher's own wake-up can send it (the invitation's mail was failed above).
    const mail = await waitForMail(portal.mailDir, 'due.soon@example.com', { timeoutMs: 10_000 });
    expect(mail.registrationId).toBeNull();
  } finally {
    await d.close();
  }
});
