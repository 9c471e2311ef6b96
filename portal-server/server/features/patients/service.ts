import { In } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import type { PatientLanguage } from '../../../../shared/domain/language';
import { InvitationEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { InvitationRow, PatientRow } from '../../../../shared/node/entities/server';
import { keyedHash, newRegistrationId, randomToken } from '../../../../shared/node/secrets';
import type { ArgsVersion, MutationArgs, PatientDetails } from '../../../../shared/sync/protocol';
import { todayInZone } from '../../../../shared/time/dateOnly';
import { validateOrThrow } from '../../../../shared/validation/validate';
import type { ServerContext } from '../../context';
import type { StaffCall } from '../calls';
import { fieldsToWrite, staffWriter } from '../calls';
import { notifyEmailChanged } from '../mail/notify';
import { patientMailLanguage } from '../mail/mailLayout';
import { enqueueMail } from '../mail/outbox';
import type { InvitationMailPayload } from '../mail/templates';
import { insertSynced, updateSynced } from '../sync/writeSynced';
import type { SyncedWriter } from '../sync/writeSynced';
import { NO_EMAIL_TO_INVITE, preRegisterArgsSchema, revokeInvitationArgsSchema, sendInvitationArgsSchema, updatePatientArgsSchema } from './schemas';

/** Staff use cases on patients and invitations; each runs inside the caller's transaction. */
export type { StaffCall };

async function findPatient(c: StaffCall, id: string): Promise<PatientRow> {
  const patient = await c.m.findOneBy(PatientEntity, { id, clinicId: c.clinic.id });
  if (!patient || patient.deletedAt) {
    throw new DomainError('not_found', 'That patient does not exist on the server.');
  }
  return patient;
}

export async function preRegisterPatient(c: StaffCall, input: MutationArgs['preRegisterPatient']): Promise<void> {
  const args = validateOrThrow(preRegisterArgsSchema(todayInZone(c.clinic.timeZone, c.ctx.now())), input);
  if (await c.m.findOneBy(PatientEntity, { id: args.patientId })) {
    throw new DomainError('conflict', 'A patient with this id already exists.');
  }
  const now = c.ctx.now().toISOString();
  const patient: PatientRow = {
    id: args.patientId,
    clinicId: c.clinic.id,
    givenName: args.givenName,
    familyName: args.familyName,
    dateOfBirth: args.dateOfBirth,
    email: args.email,
    phone: args.phone || null,
    language: args.language ?? null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  await insertSynced(staffWriter(c), 'patient', patient, { action: 'patient.pre_register' });
  if (args.invitationId) {
    await createInvitation(c, patient, args.invitationId, 'email');
  }
}

const PATIENT_FIELD_LABELS: { [K in keyof PatientDetails]: string } = {
  givenName: 'the given name',
  familyName: 'the family name',
  dateOfBirth: 'the date of birth',
  email: 'the email address',
  phone: 'the phone number',
  language: 'the preferred language',
};

/** A language as the conflict message names it to the desk (the console speaks English). */
function languageForStaff(language: PatientLanguage | null): string {
  return language === 'es' ? 'Spanish' : language === 'en' ? 'English' : 'not chosen';
}

/**
 * argsVersion 2 is field-level (an edit of other fields since merges); argsVersion 1, still sent
 * by entries queued before the upgrade, needs the exact version it was built on.
 */
export async function updatePatient(c: StaffCall, input: MutationArgs['updatePatient'], argsVersion: ArgsVersion = 1): Promise<void> {
  const args = validateOrThrow(updatePatientArgsSchema(todayInZone(c.clinic.timeZone, c.ctx.now())), input);
  const patient = await findPatient(c, args.patientId);
  let changes = Object.fromEntries(Object.entries(args.changes).filter(([, v]) => v !== undefined)) as Partial<PatientDetails>;
  if (argsVersion === 1 && patient.version !== args.baseVersion) {
    throw new DomainError('conflict', `${patient.givenName} ${patient.familyName} was changed at another desk meanwhile. Open the patient again and redo the change.`);
  }
  if (argsVersion === 2) {
    const current: PatientDetails = { ...patient, phone: patient.phone ?? '', language: patient.language ?? null };
    // Written even when every value already matches: the new version makes consoles that kept
    // their local copy while this change waited pull the server's row.
    changes = fieldsToWrite(current, changes, input.base, PATIENT_FIELD_LABELS, 'at another desk', { language: languageForStaff });
  }
  const patch: Partial<PatientRow> = { ...changes, ...('phone' in changes ? { phone: changes.phone || null } : {}) };
  await updateSynced(staffWriter(c), 'patient', patient, patch, { action: 'patient.update', detail: `fields=${Object.keys(changes).join(',')}` });
  if (changes.email !== undefined) {
    await notifyEmailChanged(c, patient, changes.email, c.actor);
  }
}

export async function sendInvitation(c: StaffCall, input: MutationArgs['sendInvitation']): Promise<void> {
  const args = validateOrThrow(sendInvitationArgsSchema, input);
  const patient = await findPatient(c, args.patientId);
  if (!patient.email) {
    throw new DomainError('validation_failed', NO_EMAIL_TO_INVITE);
  }
  await createInvitation(c, patient, args.invitationId, 'email');
}

export async function revokeInvitation(c: StaffCall, input: MutationArgs['revokeInvitation']): Promise<void> {
  const args = validateOrThrow(revokeInvitationArgsSchema, input);
  const inv = await c.m.findOneBy(InvitationEntity, { id: args.invitationId, clinicId: c.clinic.id });
  if (!inv) {
    throw new DomainError('not_found', 'That invitation does not exist on the server.');
  }
  if (inv.status === 'registered') {
    throw new DomainError('conflict', 'The patient has already registered; there is no invitation left to revoke.');
  }
  if (inv.status !== 'revoked') {
    await setInvitationStatus(staffWriter(c), inv, 'revoked');
  }
}

/** Moves an invitation to another status, audited as `invitation.<status>`. */
export async function setInvitationStatus(w: SyncedWriter, inv: InvitationRow, status: InvitationRow['status'], patch: { lastError?: string | null } = {}): Promise<InvitationRow> {
  return updateSynced(w, 'invitation', inv, { ...patch, status, statusChangedAt: w.at.toISOString() }, { action: `invitation.${status}` });
}

/**
 * A new invitation with a new link token and Registration ID; any earlier one that could still be
 * used stops working. The mail is queued in this same transaction and sent after commit.
 */
export async function createInvitation(c: StaffCall, patient: PatientRow, invitationId: string, delivery: 'email' | 'letter'): Promise<{ registrationId: string; expiresAt: string }> {
  if (await c.m.findOneBy(InvitationEntity, { id: invitationId })) {
    throw new DomainError('conflict', 'An invitation with this id already exists.');
  }
  const earlier = await c.m.find(InvitationEntity, { where: { patientId: patient.id, status: In(['sent', 'failed', 'locked', 'expired', 'registered']) } });
  if (earlier.some((inv) => inv.status === 'registered')) {
    throw new DomainError('conflict', `${patient.givenName} ${patient.familyName} has already registered for the portal.`);
  }
  for (const inv of earlier) {
    if (inv.status !== 'expired') {
      await setInvitationStatus(staffWriter(c), inv, 'revoked');
    }
  }
  const token = randomToken();
  const registrationId = newRegistrationId();
  const now = c.ctx.now();
  const expiresAt = new Date(now.getTime() + c.clinic.invitationLifetimeDays * 86_400_000).toISOString();
  const inv: InvitationRow = {
    id: invitationId,
    clinicId: c.clinic.id,
    patientId: patient.id,
    status: 'sent',
    tokenHash: keyedHash(c.ctx.secret, token),
    registrationIdHash: keyedHash(c.ctx.secret, registrationId),
    expiresAt,
    sentAt: delivery === 'letter' ? now.toISOString() : null,
    statusChangedAt: now.toISOString(),
    failedTries: 0,
    lastError: null,
    deliveryState: delivery === 'letter' ? 'letter' : 'queued',
    version: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    deletedAt: null,
  };
  await insertSynced(staffWriter(c), 'invitation', inv, { action: delivery === 'letter' ? 'invitation.letter' : 'invitation.create' });
  if (delivery === 'letter') {
    // Printed, not mailed: the ID leaves the server only inside the letter's PDF.
    return { registrationId, expiresAt };
  }
  const payload: InvitationMailPayload = {
    clinicName: c.clinic.name,
    clinicPhone: c.clinic.phone,
    timeZone: c.clinic.timeZone,
    link: `${c.ctx.publicUrl}/register#token=${token}`,
    registrationId,
    expiresAt,
    // The desk's choice at pre-registration, or the patient's on Account (null: English).
    language: patientMailLanguage(patient),
  };
  await enqueueMail(c.m, c.ctx.secret, { clinicId: c.clinic.id, recipient: patient.email, template: 'invitation', payload, patientId: patient.id, invitationId: inv.id }, now);
  return { registrationId, expiresAt };
}

/** Marks invitations past their expiry as expired (so the desk sees it); returns how many. */
export async function expireInvitations(ctx: ServerContext): Promise<number> {
  const count = await ctx.db.write(async (m) => {
    const due = await m
      .createQueryBuilder(InvitationEntity, 'i')
      .where("i.status IN ('sent', 'failed') AND i.expiresAt <= :now", { now: ctx.now().toISOString() })
      .getMany();
    for (const inv of due) {
      await setInvitationStatus({ m, clinicId: inv.clinicId, actor: { kind: 'system', id: null }, at: ctx.now(), clientId: null }, inv, 'expired');
    }
    return due.length;
  });
  if (count > 0) {
    ctx.changes.poke();
  }
  return count;
}
