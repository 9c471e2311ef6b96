import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import type { PatientSessionView } from '../../../../shared/api/types';
import { AuditEventEntity, PatientAccountEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { ClinicTeam, PatientClient } from '../../../../test/fixtures/patients';
import { clinicTeam, pulledRow, registerPatient } from '../../../../test/fixtures/patients';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { startTestPortal } from '../../../../test/fixtures/portal';

/** Account → language (issue 15): PUT /api/account/language, in the session payload, synced to the consoles. */
const WRITES_PER_HOUR = 4;
let portal: TestPortal;
let team: ClinicTeam;

beforeAll(async () => {
  portal = await startTestPortal({ config: { patientWritesPerHour: WRITES_PER_HOUR } });
  team = await clinicTeam(portal);
});
afterAll(async () => {
  await portal.stop();
});

const db = () => portal.handle.context.db;
let n = 0;
function newPatient(): Promise<PatientClient> {
  n += 1;
  return registerPatient(portal, team.desk.console, { givenName: 'Lena', familyName: `Lengua${n}` });
}
const patientRow = (p: PatientClient) => db().read((m) => m.findOneByOrFail(PatientEntity, { id: p.patientId }));
async function languageAudits(p: PatientClient): Promise<number> {
  const account = await db().read((m) => m.findOneByOrFail(PatientAccountEntity, { patientId: p.patientId }));
  return db().read((m) => m.countBy(AuditEventEntity, { actorId: account.id, action: 'patient.self_update', detail: 'fields=language' }));
}

describe('the patient language', () => {
  it('starts unset; PUT saves it (204), audited, in the session payload, and the consoles pull it', async () => {
    const pat = await newPatient();
    expect((await pat.get<PatientSessionView>('/api/session')).body.language).toBeNull();
    const before = await patientRow(pat);

    const ok = await pat.put<null>('/api/account/language', { language: 'es' });
    expect(ok.status).toBe(204);
    expect(await patientRow(pat)).toMatchObject({ language: 'es', version: before.version + 1 });
    expect(await languageAudits(pat)).toBe(1);
    expect((await pat.get<PatientSessionView>('/api/session')).body.language).toBe('es');
    expect(await pulledRow(portal.url, team.desk.console.token, 'patient', pat.patientId)).toMatchObject({ language: 'es' });

    // The same language again writes nothing (no new version for the consoles to pull).
    expect((await pat.put<null>('/api/account/language', { language: 'es' })).status).toBe(204);
    expect((await patientRow(pat)).version).toBe(before.version + 1);
  });

  it('refuses anything but en or es with a clear error and changes nothing', async () => {
    const pat = await newPatient();
    const before = await patientRow(pat);
    for (const body of [{ language: 'fr' }, {}, { language: ['es'] }, { language: 'ES' }]) {
      const bad = await pat.put<ApiErrorResponse>('/api/account/language', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.code).toBe('validation_failed');
      expect(Object.values(bad.body.error.fields ?? {})).toEqual(['Choose English or Spanish.']);
    }
    expect(await patientRow(pat)).toEqual(before);
    expect(await languageAudits(pat)).toBe(0);
  });

  it('needs a signed-in patient and the CSRF token', async () => {
    const pat = await newPatient();
    const before = await patientRow(pat);
    const res = await fetch(`${portal.url}/api/account/language`, { method: 'PUT', headers: { 'content-type': 'application/json', cookie: pat.cookie }, body: JSON.stringify({ language: 'es' }) });
    expect(res.status).toBe(403);
    const anonymous = await fetch(`${portal.url}/api/account/language`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'es' }) });
    expect(anonymous.status).toBe(401);
    expect(await patientRow(pat)).toEqual(before);
  });

  it('counts toward PATIENT_WRITES_PER_HOUR: over it, 429 with the minutes as a parameter, and nothing written', async () => {
    const pat = await newPatient();
    for (let i = 0; i < WRITES_PER_HOUR; i += 1) {
      expect((await pat.put<null>('/api/account/language', { language: i % 2 === 0 ? 'es' : 'en' })).status).toBe(204);
    }
    const before = await patientRow(pat);
    const over = await pat.put<ApiErrorResponse>('/api/account/language', { language: before.language === 'es' ? 'en' : 'es' });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    const minutes = over.body.error.params?.minutes;
    expect(typeof minutes).toBe('number');
    expect(over.body.error.message).toContain(`wait ${String(minutes)} minute`);
    expect(await patientRow(pat)).toEqual(before);
  });
});
