import { lockKey } from '../../../../shared/node/db';
import type { EntityManager } from 'typeorm';
import { object, string } from 'yup';
import { DomainError } from '../../../../shared/api/errors';
import type { RegistrationLinkStatus, RegistrationRequest, RegistrationResponse } from '../../../../shared/api/types';
import { MAX_VERIFICATION_TRIES, normaliseRegistrationId } from '../../../../shared/domain/invitation';
import { InvitationEntity, PatientAccountEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { ClinicRow, InvitationRow } from '../../../../shared/node/entities/server';
import { hashPassword, keyedHash, newId, normaliseAnswer, sameHash } from '../../../../shared/node/secrets';
import { parseUsDate, todayInZone } from '../../../../shared/time/dateOnly';
import { registrationSchema } from '../../../../shared/validation/registration';
import { validateOrThrow } from '../../../../shared/validation/validate';
import { requirePatientPassword } from '../password-strength/strength';
import type { ServerContext } from '../../context';
import { audit } from '../audit/audit';
import { requireClinic } from '../clinic/service';
import { updateSynced, updateUnsyncedColumns } from '../sync/writeSynced';

const tokenSchema = object({ token: string().required().max(200) });

const NOT_LIVE: Record<Exclude<InvitationRow['status'], 'sent'>, DomainError> = {
  queued: new DomainError('invitation_not_found', 'This registration link is not valid. Open the link in your most recent invitation email.'),
  failed: new DomainError('invitation_not_found', 'This registration link is not valid. Ask your clinic to send a new invitation.'),
  registered: new DomainError('invitation_used', 'This invitation has already been used to register. Sign in with your username and password instead.'),
  expired: new DomainError('invitation_expired', 'This invitation has expired. Ask your clinic to send a new one.'),
  revoked: new DomainError('invitation_revoked', 'This invitation is no longer valid; your clinic may have sent you a newer one. Use the link in the most recent email, or ask your clinic.'),
  locked: new DomainError('invitation_locked', "This invitation is locked after too many tries. Please contact your doctor's office to get a new invitation."),
};

/**
 * Whether a link's invitation can still be used, checked when the registration page opens so the
 * patient is not asked nine fields first. It changes nothing (no try counted, no status written)
 * and answers an unknown token exactly as a never-sent or failed one: "not valid".
 */
export async function checkRegistrationLink(ctx: ServerContext, body: unknown): Promise<RegistrationLinkStatus> {
  const clinic = await ctx.db.read(requireClinic);
  const { token } = validateOrThrow(tokenSchema, body);
  const inv = await ctx.db.read((m) => m.findOneBy(InvitationEntity, { tokenHash: keyedHash(ctx.secret, token), clinicId: clinic.id }));
  if (!inv) {
    throw NOT_LIVE.queued;
  }
  if (inv.status === 'sent' && inv.expiresAt <= ctx.now().toISOString()) {
    throw NOT_LIVE.expired;
  }
  if (inv.status !== 'sent') {
    throw NOT_LIVE[inv.status];
  }
  return { status: 'live' };
}

type Check = { ok: true; invitation: InvitationRow } | { ok: false; error: DomainError };

/**
 * The server's checks, in this order: the invitation is live; date of birth AND Registration ID
 * match (one answer for a mismatch, naming neither); after too many mismatches it locks. Only
 * then may the username be judged. Format errors are refused first and change nothing.
 */
export async function registerPatient(ctx: ServerContext, body: RegistrationRequest, ip: string | null): Promise<RegistrationResponse> {
  const { token } = validateOrThrow(tokenSchema, body);
  return completeRegistration(ctx, body, ip, () => Promise.resolve(keyedHash(ctx.secret, token)));
}

/**
 * Registration without the emailed link (a letter, or a lost email): Date of Birth plus the
 * Registration ID find the invitation through the ID's keyed hash. An ID that matches nothing gets
 * the same answer as a wrong date of birth and is audited (the route limits tries per address); an
 * ID that matches is then judged exactly as the link's invitation is, wrong tries counting toward
 * its lock.
 */
export async function registerWithRegistrationId(ctx: ServerContext, body: unknown, ip: string | null): Promise<RegistrationResponse> {
  return completeRegistration(ctx, body, ip, async (clinic, registrationId) => {
    const registrationIdHash = keyedHash(ctx.secret, normaliseRegistrationId(registrationId));
    const [newest] = await ctx.db.read((m) =>
      m.find(InvitationEntity, { where: { registrationIdHash, clinicId: clinic.id }, order: { createdAt: 'DESC' }, take: 1 }),
    );
    if (!newest) {
      await ctx.db.write((m) => audit(m, clinic.id, { kind: 'anonymous', id: null, ip }, 'registration.unknown_registration_id', null, ctx.now()));
      throw verificationFailed();
    }
    return newest.tokenHash;
  });
}

async function completeRegistration(
  ctx: ServerContext,
  body: unknown,
  ip: string | null,
  findInvitation: (clinic: ClinicRow, registrationId: string) => Promise<string>,
): Promise<RegistrationResponse> {
  const clinic = await ctx.db.read(requireClinic);
  const form = validateOrThrow(registrationSchema(clinic.passwordPolicy, todayInZone(clinic.timeZone, ctx.now())), body);
  requirePatientPassword(clinic.passwordPolicy, form.password, [form.username, clinic.name]);
  const tokenHash = await findInvitation(clinic, form.registrationId);

  // Phase 1: verify (and count a wrong try) — committed even when it refuses.
  const check = await ctx.db.write((m) => verify(ctx, m, clinic, tokenHash, form.dateOfBirth, form.registrationId, ip));
  if (!check.ok) {
    ctx.changes.poke();
    throw check.error;
  }
  const usernameNormalized = form.username.toLowerCase();
  const taken = await ctx.db.read((m) => m.findOneBy(PatientAccountEntity, { usernameNormalized }));
  if (taken) {
    throw usernameTaken();
  }
  // Phase 2: slow hashing outside the write lock.
  const [passwordHash, answer1Hash, answer2Hash] = await Promise.all([
    hashPassword(form.password),
    hashPassword(normaliseAnswer(form.answer1)),
    hashPassword(normaliseAnswer(form.answer2)),
  ]);
  // Phase 3: re-check and create, atomically.
  await ctx.db.write(async (m) => {
    await lockKey(m, `invitation:${tokenHash}`);
    const inv = await m.findOneBy(InvitationEntity, { tokenHash });
    if (!inv || inv.status !== 'sent') {
      throw inv ? NOT_LIVE[inv.status as Exclude<InvitationRow['status'], 'sent'>] : NOT_LIVE.queued;
    }
    if (await m.findOneBy(PatientAccountEntity, { usernameNormalized })) {
      throw usernameTaken();
    }
    const now = ctx.now().toISOString();
    const accountId = newId();
    await m.insert(PatientAccountEntity, {
      id: accountId,
      clinicId: clinic.id,
      patientId: inv.patientId,
      username: form.username,
      usernameNormalized,
      passwordHash,
      question1: form.question1,
      answer1Hash,
      question2: form.question2,
      answer2Hash,
      failedSignIns: 0,
      lockedUntil: null,
      createdAt: now,
      updatedAt: now,
    });
    const w = { m, clinicId: clinic.id, actor: { kind: 'patient' as const, id: accountId, ip }, at: ctx.now(), clientId: null };
    await updateSynced(w, 'invitation', inv, { status: 'registered', statusChangedAt: now }, { action: 'patient.register', entity: { type: 'patient', id: inv.patientId } });
  });
  ctx.changes.poke();
  return { username: form.username };
}

function verificationFailed(): DomainError {
  return new DomainError('verification_failed', 'We could not verify your details. Check your date of birth and the Registration ID in your invitation email, and try again.');
}

function usernameTaken(): DomainError {
  return new DomainError('username_taken', 'That username is taken. Choose another.', { username: 'That username is taken. Choose another.' });
}

async function verify(
  ctx: ServerContext,
  m: EntityManager,
  clinic: ClinicRow,
  tokenHash: string,
  dateOfBirth: string,
  registrationId: string,
  ip: string | null,
): Promise<Check> {
  // Wrong tries at one invitation are counted one after another, whatever the instance.
  await lockKey(m, `invitation:${tokenHash}`);
  const inv = await m.findOneBy(InvitationEntity, { tokenHash, clinicId: clinic.id });
  if (!inv) {
    return { ok: false, error: NOT_LIVE.queued };
  }
  const now = ctx.now();
  const w = { m, clinicId: clinic.id, actor: { kind: 'anonymous' as const, id: null, ip }, at: now, clientId: null };
  if (inv.status === 'sent' && inv.expiresAt <= now.toISOString()) {
    await updateSynced(w, 'invitation', inv, { status: 'expired', statusChangedAt: now.toISOString() }, { action: 'invitation.expired' });
    return { ok: false, error: NOT_LIVE.expired };
  }
  if (inv.status !== 'sent') {
    return { ok: false, error: NOT_LIVE[inv.status] };
  }
  const patient = await m.findOneByOrFail(PatientEntity, { id: inv.patientId });
  const dobMatches = parseUsDate(dateOfBirth) === patient.dateOfBirth;
  const idMatches = sameHash(keyedHash(ctx.secret, normaliseRegistrationId(registrationId)), inv.registrationIdHash);
  if (dobMatches && idMatches) {
    return { ok: true, invitation: inv };
  }
  const failedTries = inv.failedTries + 1;
  const locked = failedTries >= MAX_VERIFICATION_TRIES;
  if (locked) {
    await updateSynced(w, 'invitation', inv, { failedTries, status: 'locked', statusChangedAt: now.toISOString() }, { action: 'invitation.locked' });
  } else {
    // The count of wrong tries is not shown to consoles: no new version for it.
    await updateUnsyncedColumns(m, 'invitation', inv.id, { failedTries });
    await audit(m, clinic.id, w.actor, 'registration.verification_failed', { type: 'invitation', id: inv.id }, now);
  }
  return {
    ok: false,
    error: locked
      ? NOT_LIVE.locked
      : verificationFailed(),
  };
}
