/**
 * Holes a sync review found where a change vanished without a refusal, an error or a sign on
 * screen. Each test runs a real console core against a real portal server and checks the
 * server's own tables, not only what a pull says.
 */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/api/errors';
import { MESSAGE_MAX_LENGTH } from '../../shared/domain/message';
import { MessageEntity } from '../../shared/node/entities/clinical';
import { PatientEntity } from '../../shared/node/entities/server';
import { useClinicConsoles } from '../../test/fixtures/clinicConsoles';
import { OutboxEntity } from '../replica/entities';
import { outbox } from '../replica/outbox';
import type { FetchLike } from '../net/serverClient';
import { mariaForm, startSignedInCore } from '../testSupport';
import type { TestCore } from '../testSupport';

const clinic = useClinicConsoles([['desk2', 'Dev Desk', 'receptionist']]);

const serverPatient = (id: string) => clinic.portal.handle.context.db.read((m) => m.findOneByOrFail(PatientEntity, { id }));

/**
 * A network whose next push reaches the server and is applied, but whose answer never comes back:
 * the Wi-Fi drops right then and stays down (every later request fails) until `reconnect()`.
 */
function wifiDroppingAfterNextPush(): { fetch: FetchLike; wifi: { dropAfterNextPush: boolean; down: boolean } } {
  const wifi = { dropAfterNextPush: false, down: false };
  const lossy: FetchLike = async (url, init) => {
    if (wifi.down) {
      throw new TypeError('fetch failed (no network)');
    }
    const response = await fetch(url, init);
    if (wifi.dropAfterNextPush && String(url).endsWith('/api/sync/push')) {
      wifi.dropAfterNextPush = false;
      wifi.down = true;
      await response.arrayBuffer();
      throw new TypeError('fetch failed (the Wi-Fi dropped before the answer came back)');
    }
    return response;
  };
  return { fetch: lossy, wifi };
}

async function openLossyConsole(): Promise<{ core: TestCore; wifi: { dropAfterNextPush: boolean; down: boolean } }> {
  const { fetch, wifi } = wifiDroppingAfterNextPush();
  const core = await startSignedInCore(clinic.portal.url, 'desk1', 'Staff2Work', { fetch });
  return { core, wifi };
}

describe('nothing a desk writes is lost', () => {
  it('an edit made after a push whose answer was lost is sent as its own change, never folded into the sent one', async () => {
    const { core, wifi } = await openLossyConsole();
    try {
      await core.engine.stop();
      const typo = await core.services.patients.preRegister(mariaForm({ givenName: 'Lost', email: 'maria.lopez@exmaple.com' }), false);
      wifi.dropAfterNextPush = true;
      core.engine.start();
      // The pre-registration reaches the server; the console never hears so.
      await expect.poll(async () => (await clinic.portal.handle.context.db.read((m) => m.findOneBy(PatientEntity, { id: typo.patient.id })))?.email, { timeout: 15_000 }).toBe(
        'maria.lopez@exmaple.com',
      );
      await expect.poll(async () => (await core.engine.status()).online, { timeout: 15_000 }).toBe(false);
      expect((await core.engine.status()).pending).toBe(1);

      // Still offline: the desk fixes the mistyped email.
      await core.services.patients.update(typo.patient.id, mariaForm({ givenName: 'Lost', email: 'maria.lopez@example.com' }));
      const entries = await core.db.read((m) => m.find(OutboxEntity, { where: { status: 'pending' }, order: { seq: 'ASC' } }));
      expect(entries.map((e) => e.name)).toEqual(['preRegisterPatient', 'updatePatient']);

      // Back online; the desk does not wait for the back-off (which may have grown to a minute on a
      // slow machine): it syncs now, as the sync bar's button does.
      wifi.down = false;
      await core.engine.syncNow();
      await expect.poll(async () => (await core.engine.status()).pending, { timeout: 15_000 }).toBe(0);
      expect((await core.engine.status()).rejected).toEqual([]);
      expect((await serverPatient(typo.patient.id)).email).toBe('maria.lopez@example.com');
    } finally {
      await core.dispose();
    }
  });

  it('sixty long offline replies go out in pushes the server accepts, cut by bytes, and every one arrives', async () => {
    const desk = await clinic.openConsole('desk1');
    const patient = await desk.services.patients.preRegister(mariaForm({ givenName: 'Many', email: 'many.replies@example.com' }), false);
    const thread = await desk.services.messages.start({ patientId: patient.patient.id, subject: 'Follow-up', body: 'First note.' });
    await desk.engine.syncNow();
    await desk.engine.stop();
    // Accented text takes two bytes a character: sixty such replies weigh about 480 kB, over the server's 256 kB.
    const long = 'é'.repeat(MESSAGE_MAX_LENGTH - 10);
    for (let i = 0; i < 60; i += 1) {
      await desk.services.messages.reply(thread.thread.row.id, `${i} ${long}`);
    }
    desk.engine.start();
    await expect.poll(async () => (await desk.engine.status()).pending, { timeout: 20_000 }).toBe(0);
    const stored = await clinic.portal.handle.context.db.read((m) => m.countBy(MessageEntity, { threadId: thread.thread.row.id }));
    expect(stored).toBe(61);
    expect((await desk.engine.status()).lastError).toBeNull();
  });

  it('an intent too large for any push is refused on the desk before it is queued, and nothing is written', async () => {
    const desk = await clinic.openConsole('desk1');
    const before = await desk.db.read((m) => m.count(OutboxEntity));
    const huge = { patientId: '00000000-0000-4000-8000-000000000000', viewedAt: 'x'.repeat(300_000) };
    const attempt = desk.db.write((m) =>
      outbox.append(m, { name: 'recordViewed', args: huge, staffUserId: 'someone', description: 'too big', patientId: null, invitationId: null, now: new Date() }),
    );
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(await desk.db.read((m) => m.count(OutboxEntity))).toBe(before);
  });

  it('an edit undone before it was sent claims no change: another desk’s edit of that field is no conflict, and the other fix lands', async () => {
    const [deskA, deskB] = [await clinic.openConsole('desk1'), await clinic.openConsole('desk2')];
    const created = await deskA.services.patients.preRegister(mariaForm({ givenName: 'Undo', email: 'undo.typo@exmaple.com', phone: '555-0100' }), false);
    await deskA.engine.syncNow();
    await deskB.engine.syncNow();
    await deskA.engine.stop();
    // Desk A, offline: fixes the email, changes the phone by mistake, then puts the phone back.
    await deskA.services.patients.update(created.patient.id, mariaForm({ givenName: 'Undo', email: 'undo.typo@example.com', phone: '555-0199' }));
    await deskA.services.patients.update(created.patient.id, mariaForm({ givenName: 'Undo', email: 'undo.typo@example.com', phone: '555-0100' }));
    // Desk B changes the phone meanwhile, online.
    await deskB.services.patients.update(created.patient.id, mariaForm({ givenName: 'Undo', email: 'undo.typo@exmaple.com', phone: '555-0142' }));
    await deskB.engine.syncNow();

    deskA.engine.start();
    await expect.poll(async () => (await deskA.engine.status()).pending, { timeout: 15_000 }).toBe(0);
    expect((await deskA.engine.status()).rejected).toEqual([]);
    expect(await serverPatient(created.patient.id)).toMatchObject({ email: 'undo.typo@example.com', phone: '555-0142' });
  });

  it('an edit put back entirely before it was sent leaves nothing to send', async () => {
    const desk = await clinic.openConsole('desk1');
    const created = await desk.services.patients.preRegister(mariaForm({ givenName: 'Back', email: 'back@example.com', phone: '555-0100' }), false);
    await desk.engine.syncNow();
    await desk.engine.stop();
    await desk.services.patients.update(created.patient.id, mariaForm({ givenName: 'Back', email: 'back@example.com', phone: '555-0111' }));
    expect((await desk.engine.status()).pending).toBe(1);
    await desk.services.patients.update(created.patient.id, mariaForm({ givenName: 'Back', email: 'back@example.com', phone: '555-0100' }));
    expect((await desk.engine.status()).pending).toBe(0);
    expect((await desk.services.patients.get(created.patient.id)).patient.phone).toBe('555-0100');
  });
});
