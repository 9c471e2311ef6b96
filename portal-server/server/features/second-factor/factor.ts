/**
 * A person's second factor (issue 13): enrol (a secret made here, sealed at rest), confirm with a
 * first code (ten single-use recovery codes, shown once, kept as HMACs), check a code at sign-in
 * (±1 step, each step once, wrong codes lock like wrong passwords), and reset.
 */
import type { EntityManager } from 'typeorm';
import { randomInt } from 'node:crypto';
import { DomainError } from '../../../../shared/api/errors';
import { SecondFactorEntity, SecondFactorRecoveryCodeEntity, TrustedComputerEntity } from '../../../../shared/node/entities/secondFactor';
import type { SecondFactorOwner, SecondFactorRow } from '../../../../shared/node/entities/secondFactor';
import { keyedHash, newId } from '../../../../shared/node/secrets';
import type { ServerContext } from '../../context';
import { openValue, sealValue } from '../mail/sealedPayload';
import { TooManyTries, admitSecondFactor, secondFactorSucceeded } from '../sign-in-lockout/lockout';
import { acceptedStep, newTotpSecret, otpauthUri, qrSvg } from './totp';

const PURPOSE = 'second factor secret v1';
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export interface Owner {
  kind: SecondFactorOwner;
  id: string;
  clinicId: string;
}

export interface Enrolment {
  secret: string;
  otpauthUri: string;
  /** The QR code of otpauthUri, an SVG document. */
  qrSvg: string;
}

const boundTo = (row: { id: string; ownerKind: string; ownerId: string }): string => `second_factor:${row.id}:${row.ownerKind}:${row.ownerId}`;

export const INVALID_CODE_MESSAGE = 'That code is not right. Enter the current 6-digit code from your authenticator app, or one of your recovery codes.';

/** The code a person typed, checked for shape only (verifyCode judges it). */
export function typedCode(code: unknown): string {
  if (typeof code !== 'string' || !code.trim() || code.length > 32) {
    throw new DomainError('validation_failed', 'Enter the 6-digit code from your authenticator app.', { code: 'Enter the 6-digit code from your authenticator app.' });
  }
  return code;
}

export function findFactor(m: EntityManager, owner: Pick<Owner, 'kind' | 'id'>): Promise<SecondFactorRow | null> {
  return m.findOneBy(SecondFactorEntity, { ownerKind: owner.kind, ownerId: owner.id });
}

export async function hasConfirmedFactor(m: EntityManager, owner: Pick<Owner, 'kind' | 'id'>): Promise<boolean> {
  return Boolean((await findFactor(m, owner))?.confirmedAt);
}

/**
 * Starts (or restarts) enrolment: a new secret, not yet in force. Refused when a confirmed factor
 * exists (a reset by an admin, or turning it off, comes first).
 */
export async function startEnrolment(ctx: ServerContext, owner: Owner, issuer: string, accountName: string): Promise<Enrolment> {
  const secret = newTotpSecret();
  await ctx.db.write(async (m) => {
    const existing = await findFactor(m, owner);
    if (existing?.confirmedAt) {
      throw new DomainError('conflict', 'A second factor is already set up for this account.');
    }
    if (existing) {
      await m.delete(SecondFactorEntity, { id: existing.id });
    }
    const row: SecondFactorRow = {
      id: newId(),
      clinicId: owner.clinicId,
      ownerKind: owner.kind,
      ownerId: owner.id,
      secretSealed: '',
      confirmedAt: null,
      lastUsedStep: 0,
      createdAt: ctx.now().toISOString(),
    };
    row.secretSealed = sealValue(ctx.secret, PURPOSE, boundTo(row), secret);
    await m.insert(SecondFactorEntity, row);
  });
  const uri = otpauthUri(secret, issuer, accountName);
  return { secret, otpauthUri: uri, qrSvg: await qrSvg(uri) };
}

/**
 * Setup of a new clinic: the first admin's factor is written already confirmed (the code was
 * checked against the secret before anything was written), in the caller's transaction.
 */
export async function insertConfirmedFactor(ctx: ServerContext, m: EntityManager, owner: Owner, secret: string, step: number): Promise<string[]> {
  const now = ctx.now().toISOString();
  const row: SecondFactorRow = { id: newId(), clinicId: owner.clinicId, ownerKind: owner.kind, ownerId: owner.id, secretSealed: '', confirmedAt: now, lastUsedStep: step, createdAt: now };
  row.secretSealed = sealValue(ctx.secret, PURPOSE, boundTo(row), secret);
  await m.insert(SecondFactorEntity, row);
  return replaceRecoveryCodes(ctx, m, row.id);
}

/** A secret for someone who does not exist yet (the first admin at setup): nothing is written. */
export async function enrolmentForSetup(issuer: string, accountName: string): Promise<Enrolment> {
  const secret = newTotpSecret();
  const uri = otpauthUri(secret, issuer, accountName);
  return { secret, otpauthUri: uri, qrSvg: await qrSvg(uri) };
}

function openSecret(ctx: ServerContext, row: SecondFactorRow): string {
  return openValue(ctx.secret, PURPOSE, boundTo(row), row.secretSealed);
}

function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < 10; i += 1) {
    code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  }
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Spaces, dashes and case do not matter when a recovery code is typed. */
function normaliseRecoveryCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

const recoveryHash = (ctx: ServerContext, factorId: string, code: string): string => keyedHash(ctx.secret, `second-factor-recovery:${factorId}:${normaliseRecoveryCode(code)}`);

/**
 * Checks a code: a 6-digit code from the app (±1 step of the server's clock, newer than the last
 * accepted) or an unused recovery code. The try is counted under the lockout and committed before
 * the code is looked at (so a wrong code counts even though it is refused, and parallel guesses
 * cannot outrun the lock); a right code clears the count in the same write that uses it up.
 * `pending` checks an enrolment not yet confirmed, confirms it and returns its recovery codes.
 */
export async function verifyCode(ctx: ServerContext, owner: Owner, code: string, o: { pending?: boolean } = {}): Promise<{ kind: 'totp' | 'recovery'; recoveryCodes?: string[] }> {
  const now = ctx.now();
  const row = await ctx.db.read((m) => findFactor(m, owner));
  const wanted = o.pending ? row !== null && row.confirmedAt === null : Boolean(row?.confirmedAt);
  if (!row || !wanted) {
    throw new DomainError('invalid_credentials', o.pending ? 'Start setting up the authenticator app again.' : INVALID_CODE_MESSAGE);
  }
  const admitted = await ctx.db.write((m) => admitSecondFactor(m, owner.kind, owner.id, now));
  const typed = code.trim().replace(/\s/g, '');
  const step = await acceptedStep(openSecret(ctx, row), typed, now, row.lastUsedStep);
  const result = await ctx.db.write(async (m): Promise<{ kind: 'totp' | 'recovery'; recoveryCodes?: string[] } | null> => {
    if (step !== null) {
      // Conditional: of two requests with one code, only the first moves the step on.
      const moved = await m
        .createQueryBuilder()
        .update(SecondFactorEntity)
        .set({ lastUsedStep: step, ...(o.pending ? { confirmedAt: now.toISOString() } : {}) })
        .where('id = :id AND lastUsedStep < :step', { id: row.id, step })
        .execute();
      if (!moved.affected) {
        return null;
      }
      await secondFactorSucceeded(m, owner.kind, owner.id);
      return o.pending ? { kind: 'totp', recoveryCodes: await replaceRecoveryCodes(ctx, m, row.id) } : { kind: 'totp' };
    }
    if (o.pending || typed.length <= 6) {
      return null;
    }
    const used = await m
      .createQueryBuilder()
      .update(SecondFactorRecoveryCodeEntity)
      .set({ usedAt: now.toISOString() })
      .where('factorId = :factorId AND codeHash = :codeHash AND usedAt IS NULL', { factorId: row.id, codeHash: recoveryHash(ctx, row.id, typed) })
      .execute();
    if (!used.affected) {
      return null;
    }
    await secondFactorSucceeded(m, owner.kind, owner.id);
    return { kind: 'recovery' };
  });
  if (!result) {
    throw admitted.lockedUntil ? TooManyTries.until(admitted.lockedUntil, now) : new DomainError('invalid_credentials', INVALID_CODE_MESSAGE);
  }
  return result;
}

/**
 * New recovery codes for a confirmed factor (a person who used some, or fears they were seen).
 * A current code from the app (or a recovery code) proves the person holds the factor, so a
 * signed-in browser left unattended cannot swap the codes; the old ones stop working at once.
 * The caller audits in the same write.
 */
export async function renewRecoveryCodes(ctx: ServerContext, owner: Owner, code: string, auditIn: (m: EntityManager) => Promise<void>): Promise<string[]> {
  await verifyCode(ctx, owner, code);
  return ctx.db.write(async (m) => {
    const row = await findFactor(m, owner);
    if (!row?.confirmedAt) {
      throw new DomainError('conflict', 'Two-step sign-in is not set up for this account.');
    }
    const codes = await replaceRecoveryCodes(ctx, m, row.id);
    await auditIn(m);
    return codes;
  });
}

/** Ten new single-use recovery codes; the old ones stop working. Returned once, stored as HMACs. */
export async function replaceRecoveryCodes(ctx: ServerContext, m: EntityManager, factorId: string): Promise<string[]> {
  await m.delete(SecondFactorRecoveryCodeEntity, { factorId });
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  for (const code of codes) {
    await m.insert(SecondFactorRecoveryCodeEntity, { id: newId(), factorId, codeHash: recoveryHash(ctx, factorId, code), usedAt: null });
  }
  return codes;
}

export async function unusedRecoveryCodes(m: EntityManager, factorId: string): Promise<number> {
  const rows = await m.findBy(SecondFactorRecoveryCodeEntity, { factorId });
  return rows.filter((r) => r.usedAt === null).length;
}

/** Removes a person's second factor, its recovery codes and (staff) the computers they trusted. */
export async function removeFactor(m: EntityManager, owner: Pick<Owner, 'kind' | 'id'>, now: Date): Promise<boolean> {
  const row = await findFactor(m, owner);
  if (!row) {
    return false;
  }
  await m.delete(SecondFactorRecoveryCodeEntity, { factorId: row.id });
  await m.delete(SecondFactorEntity, { id: row.id });
  if (owner.kind === 'staff') {
    await m.createQueryBuilder().update(TrustedComputerEntity).set({ revokedAt: now.toISOString() }).where('staffUserId = :id AND revokedAt IS NULL', { id: owner.id }).execute();
  }
  await secondFactorSucceeded(m, owner.kind, owner.id);
  return row.confirmedAt !== null;
}
