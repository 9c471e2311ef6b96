/** Two desks' consoles edit one patient against a real portal server; staff see and dismiss a conflict. */
import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../shared/ipc/contract';
import { OutboxEntity } from '../replica/entities';
import { useClinicConsoles } from '../../test/fixtures/clinicConsoles';
import { mariaForm } from '../testSupport';
import type { TestCore } from '../testSupport';

const clinic = useClinicConsoles([['desk2', 'Dee Second', 'receptionist']]);
const openConsole = (username: string): Promise<TestCore> => clinic.openConsole(username);

/** Both desks see the same patient; desk B then works offline. */
async function sharedPatient(email: string): Promise<{ a: TestCore; b: TestCore; patientId: string }> {
  const a = await openConsole('desk1');
  const b = await openConsole('desk2');
  const made = await a.services.patients.preRegister(mariaForm({ email, phone: '555-0100' }), false);
  await a.engine.syncNow();
  await b.engine.syncNow();
  await b.engine.stop();
  return { a, b, patientId: made.patient.id };
}

async function invoke<T>(core: TestCore, channel: string, args: unknown): Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }> {
  return (await core.registry.invoke(channel, args)) as { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
}

describe('field-level conflicts between two consoles', () => {
  it('edits of different fields at two desks both reach the server and every replica', async () => {
    const { a, b, patientId } = await sharedPatient('merge@example.com');
    await a.services.patients.update(patientId, mariaForm({ email: 'merge@example.com', phone: '555-0111' }));
    await a.engine.syncNow();
    await b.services.patients.update(patientId, mariaForm({ email: 'merge@example.com', phone: '555-0100', familyName: 'Lopez-Diaz' }));
    b.engine.start();
    const status = await b.engine.syncNow();
    expect(status.rejected).toEqual([]);
    await a.engine.syncNow();
    for (const core of [a, b]) {
      expect((await core.services.patients.get(patientId)).patient).toMatchObject({ phone: '555-0111', familyName: 'Lopez-Diaz', version: 3 });
    }
  });

  it('the same field: the second desk sees a conflict with what to do, its row back to the server’s, and can dismiss it', async () => {
    const { a, b, patientId } = await sharedPatient('same@example.com');
    await a.services.patients.update(patientId, mariaForm({ email: 'same@example.com', phone: '555-0111' }));
    await a.engine.syncNow();
    await b.services.patients.update(patientId, mariaForm({ email: 'same@example.com', phone: '555-0222' }));
    b.engine.start();
    const status = await b.engine.syncNow();
    expect(status.pending).toBe(0);
    expect(status.rejected).toEqual([
      expect.objectContaining({
        kind: 'conflict',
        description: 'Update Maria Lopez',
        reason: 'The phone number was changed at another desk meanwhile: now “555-0111”. Nothing of this change was saved.',

      }),
    ]);
    expect((await b.services.patients.get(patientId)).patient).toMatchObject({ phone: '555-0111', version: 2 });

    const seq = status.rejected[0]?.seq ?? 0;
    const emitted: SyncStatus[] = [];
    b.events.on('sync.status', (s) => emitted.push(s));
    const dismissed = await invoke<SyncStatus>(b, 'sync.dismissRejected', { seq });
    expect(dismissed).toMatchObject({ ok: true, value: { rejected: [] } });
    expect(emitted.at(-1)?.rejected).toEqual([]);
    expect((await b.engine.status()).rejected).toEqual([]);
    // Kept for troubleshooting, no longer listed.
    expect(await b.db.read((m) => m.findOneBy(OutboxEntity, { seq }))).toMatchObject({ status: 'dismissed' });
    // Again, or a change that was never refused: a clear answer, nothing changes.
    expect(await invoke(b, 'sync.dismissRejected', { seq })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await invoke(b, 'sync.dismissRejected', { seq: '1' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await invoke(b, 'sync.dismissRejected', { seq: 1.5 })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });

    // Pruning drops dismissed and accepted entries past the cut-off; nothing newer, nothing listed.
    const resolvedAt = (await b.db.read((m) => m.findOneByOrFail(OutboxEntity, { seq }))).resolvedAt ?? '';
    await b.db.write((m) => b.outbox.pruneApplied(m, new Date(Date.parse(resolvedAt))));
    expect(await b.db.read((m) => m.countBy(OutboxEntity, { seq }))).toBe(1);
    await b.db.write((m) => b.outbox.pruneApplied(m, new Date(Date.parse(resolvedAt) + 1)));
    expect(await b.db.read((m) => m.countBy(OutboxEntity, { seq }))).toBe(0);
  });
});
