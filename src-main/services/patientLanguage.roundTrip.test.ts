/**
 * A patient's preferred language through the real architecture (issue 15, item 2): the desk sets it
 * at pre-registration or in an edit (replica + outbox) → push → server → sync feed → the replica of
 * every console; and a language the patient chose on the portal reaches the desk the same way.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/api/errors';
import { PatientEntity } from '../../shared/node/entities/server';
import { useClinicConsoles } from '../../test/fixtures/clinicConsoles';
import { registerPatient } from '../../test/fixtures/patients';
import { LocalPatientEntity, OutboxEntity } from '../replica/entities';
import { mariaForm } from '../testSupport';
import type { TestCore } from '../testSupport';

const clinic = useClinicConsoles([['desk2', 'Dee Desk', 'receptionist']]);

const onServer = (id: string) => clinic.portal.handle.context.db.read((m) => m.findOneByOrFail(PatientEntity, { id }));
const email = () => `maria.${randomUUID().slice(0, 8)}@example.com`;

async function synced(core: TestCore): Promise<void> {
  expect(await core.engine.syncNow()).toMatchObject({ pending: 0, rejected: [] });
}

describe('the preferred language, desk → server → feed → replica', () => {
  it('Español chosen at pre-registration is stored on the server and shown by every console', async () => {
    const desk = await clinic.openConsole('desk1');
    const other = await clinic.openConsole('desk2');
    await desk.engine.stop();
    const made = await desk.services.patients.preRegister(mariaForm({ email: email(), language: 'es' }), true);
    // At once on this desk, before the server has it.
    expect(made.patient).toMatchObject({ language: 'es', version: 0 });
    const [entry] = await desk.db.read((m) => m.findBy(OutboxEntity, { name: 'preRegisterPatient' }));
    expect(JSON.parse(entry?.args ?? '{}')).toMatchObject({ patientId: made.patient.id, language: 'es' });

    desk.engine.start();
    await synced(desk);
    expect(await onServer(made.patient.id)).toMatchObject({ language: 'es', version: 1 });
    // The row the desk pulled back, and the row another console pulled, both carry it.
    expect((await desk.services.patients.get(made.patient.id)).patient).toMatchObject({ language: 'es', version: 1 });
    await synced(other);
    expect((await other.services.patients.get(made.patient.id)).patient).toMatchObject({ language: 'es', version: 1 });
    expect(await other.db.read((m) => m.findOneByOrFail(LocalPatientEntity, { id: made.patient.id }))).toMatchObject({ language: 'es', serverCopy: null });
  });

  it('not chosen by default; an edit sets it and clears it again, field by field', async () => {
    const desk = await clinic.openConsole('desk1');
    const other = await clinic.openConsole('desk2');
    const address = email();
    const made = await desk.services.patients.preRegister(mariaForm({ email: address }), false);
    await synced(desk);
    expect((await onServer(made.patient.id)).language).toBeNull();

    await desk.engine.stop();
    await desk.services.patients.update(made.patient.id, mariaForm({ email: address, language: 'es' }));
    const [edit] = await desk.db.read((m) => m.findBy(OutboxEntity, { name: 'updatePatient' }));
    expect(JSON.parse(edit?.args ?? '{}')).toMatchObject({ changes: { language: 'es' }, base: { language: null } });
    desk.engine.start();
    await synced(desk);
    expect(await onServer(made.patient.id)).toMatchObject({ language: 'es', version: 2 });
    await synced(other);
    expect((await other.services.patients.get(made.patient.id)).patient.language).toBe('es');

    // A form that does not say (an older renderer) leaves it; null sets it back to not chosen.
    await desk.services.patients.update(made.patient.id, mariaForm({ email: address, phone: '555-0100' }));
    await synced(desk);
    expect(await onServer(made.patient.id)).toMatchObject({ language: 'es', phone: '555-0100' });
    await desk.services.patients.update(made.patient.id, mariaForm({ email: address, phone: '555-0100', language: null }));
    await synced(desk);
    expect((await onServer(made.patient.id)).language).toBeNull();
    await synced(other);
    expect((await other.services.patients.get(made.patient.id)).patient.language).toBeNull();
  });

  it('a language the patient chose on the portal reaches the desk through the feed', async () => {
    const pat = await registerPatient(clinic.portal, clinic.team.desk.console, { givenName: 'Lucia', familyName: 'Idioma' });
    const desk = await clinic.openConsole('desk1');
    expect((await desk.services.patients.get(pat.patientId)).patient.language).toBeNull();
    expect((await pat.put<null>('/api/account/language', { language: 'es' })).status).toBe(204);
    await synced(desk);
    expect((await desk.services.patients.get(pat.patientId)).patient.language).toBe('es');
  });

  it('the console refuses another language with the field named, and writes nothing', async () => {
    const desk = await clinic.openConsole('desk1');
    await desk.engine.stop();
    const before = await desk.db.read(async (m) => ({ patients: await m.count(LocalPatientEntity), outbox: await m.count(OutboxEntity) }));
    for (const language of ['fr', 'ES', '', ['es']]) {
      const err = await desk.services.patients.preRegister(mariaForm({ email: email(), language: language as never }), true).catch((e: unknown) => e);
      expect(err, JSON.stringify(language)).toBeInstanceOf(DomainError);
      expect((err as DomainError).fields).toEqual({ language: 'Choose English or Spanish.' });
    }
    expect(await desk.db.read(async (m) => ({ patients: await m.count(LocalPatientEntity), outbox: await m.count(OutboxEntity) }))).toEqual(before);
  });
});
