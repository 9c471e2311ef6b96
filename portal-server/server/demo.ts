import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EntityManager } from 'typeorm';
import { Not } from 'typeorm';
import { InvitationEntity, MailOutboxEntity, PatientAccountEntity, PatientEntity, StaffUserEntity } from '../../shared/node/entities/server';
import type { StaffUserRow } from '../../shared/node/entities/server';
import { hashPassword, newId, normaliseAnswer } from '../../shared/node/secrets';
import type { StaffRole } from '../../shared/domain/staff';
import type { ServerContext } from './context';
import { afterCommit } from './context';
import type { DemoPatient } from './demoClinic';
import { seedDemoClinic, seedLoadHistories } from './demoClinic';
import type { StaffCall } from './features/calls';
import { createClinicWithAdmin, requireClinic } from './features/clinic/service';
import { renderInvitationLetter } from './features/letters/invitationLetter';
import { createInvitation, preRegisterPatient } from './features/patients/service';
import { insertSynced, updateSynced } from './features/sync/writeSynced';

/** The demo clinic's people; README lists the same sign-ins. */
export const DEMO = {
  clinic: { name: 'Riverside Family Clinic', phone: '(555) 010-2000', address: '12 Harbor Road, Springfield', timeZone: 'America/New_York' },
  admin: { username: 'clinicadmin', password: 'Admin2Go', displayName: 'Clinic Admin' },
  staff: [
    { username: 'frontdesk1', password: 'Desk2Work', displayName: 'Dana Reyes', role: 'receptionist' as StaffRole },
    { username: 'drpatel1', password: 'Heal2Day', displayName: 'Dr. Sam Patel', role: 'physician' as StaffRole },
  ],
  registered: [
    { givenName: 'James', familyName: 'Walker', dateOfBirth: '1972-09-03', email: 'james.walker@example.com', username: 'JamesWalker1', password: 'Portal2Go' },
    { givenName: 'Ana', familyName: 'Silva', dateOfBirth: '1990-01-22', email: 'ana.silva@example.com', username: 'AnaSilva22', password: 'Portal2Go' },
  ],
  invited: { givenName: 'Maria', familyName: 'Lopez', dateOfBirth: '1986-04-12', email: 'maria.lopez@example.com' },
  /** No email: invited by a printed letter, which the demo writes as a PDF file. */
  invitedByLetter: { givenName: 'Robert', familyName: 'Chen', dateOfBirth: '1975-09-30', email: '', phone: '(555) 010-4477' },
};

/**
 * Seeds the demo clinic once; a rerun keeps whatever the last run did. Returns false when already
 * seeded. Robert Chen's invitation letter is written to `letterFile` (its Registration ID exists
 * nowhere else: the server keeps only its keyed hash); tests that need no file pass none.
 */
export async function seedDemo(ctx: ServerContext, letterFile?: string): Promise<boolean> {
  if ((await ctx.db.read((m) => m.count(StaffUserEntity))) > 0) {
    return false;
  }
  const admin = { ...DEMO.clinic, adminUsername: DEMO.admin.username, adminDisplayName: DEMO.admin.displayName, adminPassword: DEMO.admin.password };
  await createClinicWithAdmin(ctx, admin, await hashPassword(DEMO.admin.password));
  const staffHashes = await Promise.all(DEMO.staff.map((s) => hashPassword(s.password)));
  const patientHashes = await Promise.all(DEMO.registered.map((p) => hashPassword(p.password)));
  const answerHash = await hashPassword(normaliseAnswer('Springfield'));
  const letter = await ctx.db.write(async (m) => {
    const clinic = await requireClinic(m);
    const now = ctx.now().toISOString();
    const staff: StaffUserRow[] = [];
    for (const [i, s] of DEMO.staff.entries()) {
      const row: StaffUserRow = {
        id: newId(), clinicId: clinic.id, username: s.username, usernameNormalized: s.username.toLowerCase(), displayName: s.displayName,
        role: s.role, passwordHash: staffHashes[i] ?? '', active: true, version: 1, createdAt: now, updatedAt: now, deletedAt: null,
      };
      await insertSynced({ m, clinicId: clinic.id, actor: { kind: 'system', id: null }, at: ctx.now(), clientId: null }, 'staff', row, { action: 'staff.create', detail: `role=${row.role} demo` });
      staff.push(row);
    }
    const [desk, physician] = staff;
    if (!desk || !physician) {
      throw new Error('The demo needs a receptionist and a physician.');
    }
    const call: StaffCall = { ctx, m, clinic, actor: { kind: 'system', id: null }, staff: desk, clientId: null };
    const patients: DemoPatient[] = [];
    for (const [i, p] of DEMO.registered.entries()) {
      const { patientId, accountId } = await seedRegisteredPatient(call, m, p, patientHashes[i] ?? '', answerHash);
      const patient = await m.findOneByOrFail(PatientEntity, { id: patientId });
      patients.push({ key: p.givenName === 'James' ? 'James' : 'Ana', call: { ctx, m, clinic, patient, accountId, actor: { kind: 'system', id: null } } });
    }
    await preRegisterPatient(call, { patientId: newId(), ...DEMO.invited, phone: '', invitationId: newId() });
    const robertId = newId();
    await preRegisterPatient(call, { patientId: robertId, ...DEMO.invitedByLetter, invitationId: null });
    const robert = await m.findOneByOrFail(PatientEntity, { id: robertId });
    const letter = await createInvitation(call, robert, newId(), 'letter');
    await seedDemoClinic(call, physician, patients);
    // The seeded history is not news: only Maria's invitation is delivered.
    await m.delete(MailOutboxEntity, { template: Not('invitation') });
    return letter;
  });
  afterCommit(ctx);
  if (letterFile === undefined) {
    return true;
  }
  const clinic = await ctx.db.read(requireClinic);
  const pdf = await renderInvitationLetter({ clinicName: clinic.name, clinicPhone: clinic.phone, timeZone: clinic.timeZone, portalUrl: ctx.publicUrl, ...letter });
  mkdirSync(dirname(letterFile), { recursive: true });
  writeFileSync(letterFile, pdf, { mode: 0o600 });
  return true;
}

/** The load bench's patients: `LoadPatient1`… with the demo patients' password (bench/load.ts). */
export const loadPatientUsername = (i: number): string => `LoadPatient${i + 1}`;

/**
 * For the load bench only: `count` more registered patients on a seeded demo clinic, each with
 * James's or Ana's history, signing in as `loadPatientUsername(i)` with the demo's patient
 * password. One password hash is made for all (argon2id is slow by design).
 */
export async function seedLoadPatients(ctx: ServerContext, count: number): Promise<void> {
  const password = DEMO.registered[0]?.password ?? '';
  const passwordHash = await hashPassword(password);
  const answerHash = await hashPassword(normaliseAnswer('Springfield'));
  await ctx.db.write(async (m) => {
    const clinic = await requireClinic(m);
    const staff = await m.find(StaffUserEntity, { where: { clinicId: clinic.id } });
    const desk = staff.find((s) => s.username === DEMO.staff[0]?.username);
    const physician = staff.find((s) => s.username === DEMO.staff[1]?.username);
    if (!desk || !physician) {
      throw new Error('Seed the demo clinic first.');
    }
    const call: StaffCall = { ctx, m, clinic, actor: { kind: 'system', id: null }, staff: desk, clientId: null };
    const patients: DemoPatient[] = [];
    for (let i = 0; i < count; i += 1) {
      const like = DEMO.registered[i % DEMO.registered.length] ?? DEMO.registered[0];
      const username = loadPatientUsername(i);
      const person = { ...like, familyName: `${like?.familyName ?? 'Walker'} ${i + 1}`, email: `${username.toLowerCase()}@example.com`, username, password };
      const { patientId, accountId } = await seedRegisteredPatient(call, m, person as (typeof DEMO.registered)[number], passwordHash, answerHash);
      const patient = await m.findOneByOrFail(PatientEntity, { id: patientId });
      patients.push({ key: i % 2 === 0 ? 'James' : 'Ana', call: { ctx, m, clinic, patient, accountId, actor: { kind: 'system', id: null } } });
    }
    await seedLoadHistories(call, physician, patients);
    await m.delete(MailOutboxEntity, { template: Not('invitation') });
  });
  afterCommit(ctx);
}

async function seedRegisteredPatient(
  call: StaffCall,
  m: EntityManager,
  p: (typeof DEMO.registered)[number],
  passwordHash: string,
  answerHash: string,
): Promise<{ patientId: string; accountId: string }> {
  const patientId = newId();
  const accountId = newId();
  const invitationId = newId();
  await preRegisterPatient(call, { patientId, givenName: p.givenName, familyName: p.familyName, dateOfBirth: p.dateOfBirth, email: p.email, phone: '', invitationId });
  const now = call.ctx.now().toISOString();
  await m.insert(PatientAccountEntity, {
    id: accountId, clinicId: call.clinic.id, patientId, username: p.username, usernameNormalized: p.username.toLowerCase(), passwordHash,
    question1: 'birth-city', answer1Hash: answerHash, question2: 'first-pet', answer2Hash: answerHash, failedSignIns: 0, lockedUntil: null,
    createdAt: now, updatedAt: now,
  });
  const invitation = await m.findOneByOrFail(InvitationEntity, { id: invitationId });
  await updateSynced({ m, clinicId: call.clinic.id, actor: { kind: 'patient', id: accountId }, at: call.ctx.now(), clientId: null }, 'invitation', invitation, { status: 'registered', statusChangedAt: now }, {
    action: 'patient.register',
    entity: { type: 'patient', id: patientId },
    detail: 'demo',
  });
  // They registered long ago: their invitation mail is history, not something to deliver now.
  await m.delete(MailOutboxEntity, { invitationId });
  return { patientId, accountId };
}
