/**
 * The desk sets a patient's preferred language (issue 15, item 2): at pre-registration and when it
 * edits the patient, through the console's mutations. Real HTTP, the real push and pull.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventEntity, ChangeLogEntity, InvitationEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { MutationArgs, MutationName, MutationOutcome } from '../../../../shared/sync/protocol';
import type { ClinicTeam, StaffDesk } from '../../../../test/fixtures/patients';
import { clinicTeam, pulledRow, registerPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { startTestPortal } from '../../../../test/fixtures/portal';

let portal: TestPortal;
let team: ClinicTeam;

beforeAll(async () => {
  portal = await startTestPortal();
  team = await clinicTeam(portal);
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
const patientRow = (id: string) => db().read((m) => m.findOneBy(PatientEntity, { id }));
/** Everything a pre-registration would have left behind for this patient id. */
const tracesOf = (id: string) =>
  db().read(async (m) => ({
    patients: await m.countBy(PatientEntity, { id }),
    changeLog: await m.countBy(ChangeLogEntity, { tableName: 'patient', rowId: id }),
    invitations: await m.countBy(InvitationEntity, { patientId: id }),
    audits: await m.countBy(AuditEventEntity, { entityId: id }),
  }));

async function pushOne<N extends MutationName>(desk: StaffDesk, name: N, args: MutationArgs[N], argsVersion: 1 | 2 = 1): Promise<MutationOutcome> {
  const res = await desk.console.push([{ ...desk.console.mutation(name, args), argsVersion }]);
  const outcome = res.body.outcomes[0];
  if (!outcome) {
    throw new Error(`no outcome: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return outcome;
}

const email = () => `lang.${randomUUID().slice(0, 8)}@example.com`;

describe('pre-registration with a preferred language', () => {
  it('stores Spanish on the patient, and every console pulls it', async () => {
    const { patientId, response } = await team.desk.console.preRegister({ email: email(), language: 'es' });
    expect(response.outcomes[0]?.status).toBe('applied');
    expect(await patientRow(patientId)).toMatchObject({ language: 'es', version: 1 });
    expect(await pulledRow(portal.url, team.admin.console.token, 'patient', patientId)).toMatchObject({ language: 'es' });
    // What the refusal below must not leave behind, here where it applied.
    expect(await tracesOf(patientId)).toEqual({ patients: 1, changeLog: 1, invitations: 1, audits: expect.any(Number) as unknown });
    expect((await tracesOf(patientId)).audits).toBeGreaterThan(0);
  });

  it('not chosen (null), or absent as a console from before issue 15 sends it: null', async () => {
    const chosenNot = await team.desk.console.preRegister({ email: email(), language: null });
    expect(chosenNot.response.outcomes[0]?.status).toBe('applied');
    expect((await patientRow(chosenNot.patientId))?.language).toBeNull();

    const old = await team.desk.console.preRegister({ email: email() });
    expect(old.response.outcomes[0]?.status).toBe('applied');
    expect((await patientRow(old.patientId))?.language).toBeNull();
    expect(await pulledRow(portal.url, team.desk.console.token, 'patient', old.patientId)).toMatchObject({ language: null });
  });

  it('refuses any other language with a clear message, and writes nothing: no patient, no invitation, no audit', async () => {
    for (const language of ['fr', 'ES', 'english', '', ['es'], 1, { es: true }]) {
      const { patientId, response } = await team.desk.console.preRegister({ email: email(), language: language as never });
      const outcome = response.outcomes[0];
      expect(outcome?.status, JSON.stringify(language)).toBe('rejected');
      expect(outcome?.error).toMatchObject({ code: 'validation_failed', fields: { language: 'Choose English or Spanish.' } });
      expect(await tracesOf(patientId)).toEqual({ patients: 0, changeLog: 0, invitations: 0, audits: 0 });
    }
  });
});

describe('the desk edits the preferred language', () => {
  async function spanishPatient(): Promise<string> {
    const { patientId, response } = await team.desk.console.preRegister({ email: email(), phone: '555-0100', language: 'es', invitationId: null });
    expect(response.outcomes[0]?.status).toBe('applied');
    return patientId;
  }

  it('changes it (back to not chosen too), audited as a patient update of that field', async () => {
    const id = await spanishPatient();
    expect(await pushOne(team.desk, 'updatePatient', { patientId: id, baseVersion: 1, changes: { language: 'en' }, base: { language: 'es' } }, 2)).toMatchObject({ status: 'applied' });
    expect(await patientRow(id)).toMatchObject({ language: 'en', version: 2 });
    expect(await pushOne(team.desk, 'updatePatient', { patientId: id, baseVersion: 2, changes: { language: null }, base: { language: 'en' } }, 2)).toMatchObject({ status: 'applied' });
    expect(await patientRow(id)).toMatchObject({ language: null, version: 3 });
    expect(await pulledRow(portal.url, team.admin.console.token, 'patient', id)).toMatchObject({ language: null, version: 3 });
    expect(await db().read((m) => m.countBy(AuditEventEntity, { entityId: id, action: 'patient.update', detail: 'fields=language' }))).toBe(2);
  });

  it('an edit without the language leaves it as it is', async () => {
    const id = await spanishPatient();
    expect(await pushOne(team.desk, 'updatePatient', { patientId: id, baseVersion: 1, changes: { phone: '555-0199' }, base: { phone: '555-0100' } }, 2)).toMatchObject({ status: 'applied' });
    expect(await patientRow(id)).toMatchObject({ language: 'es', phone: '555-0199' });
  });

  it('refuses another language in an edit and changes nothing, not even the other fields of that edit', async () => {
    const id = await spanishPatient();
    const before = await patientRow(id);
    const logBefore = await db().read((m) => m.countBy(ChangeLogEntity, { tableName: 'patient', rowId: id }));
    const outcome = await pushOne(team.desk, 'updatePatient', { patientId: id, baseVersion: 1, changes: { language: 'fr' as never, phone: '555-0177' }, base: { language: 'es', phone: '555-0100' } }, 2);
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'validation_failed', fields: { 'changes.language': 'Choose English or Spanish.' } } });
    expect(await patientRow(id)).toEqual(before);
    expect(await db().read((m) => m.countBy(ChangeLogEntity, { tableName: 'patient', rowId: id }))).toBe(logBefore);
  });

  it('the patient chose another language on the portal meanwhile: the desk gets a conflict naming the field, nothing is written', async () => {
    const pat = await registerPatient(portal, team.desk.console, { givenName: 'Lena', familyName: `Lengua${randomUUID().slice(0, 4)}` });
    expect((await pat.put<null>('/api/account/language', { language: 'es' })).status).toBe(204);
    const before = await patientRow(pat.patientId);
    const outcome = await pushOne(team.desk, 'updatePatient', { patientId: pat.patientId, baseVersion: 1, changes: { language: 'en' }, base: { language: null } }, 2);
    expect(outcome).toMatchObject({
      status: 'rejected',
      error: { code: 'conflict', message: 'The preferred language was changed at another desk meanwhile: now “Spanish”. Nothing of this change was saved.' },
    });
    expect(await patientRow(pat.patientId)).toEqual(before);
  });
});
