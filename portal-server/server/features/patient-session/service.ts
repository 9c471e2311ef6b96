import type { EntityManager } from 'typeorm';
import { Not } from 'typeorm';
import { object, string } from 'yup';
import { DomainError } from '../../../../shared/api/errors';
import type { PatientSessionView } from '../../../../shared/api/types';
import { PatientAccountEntity, PatientEntity, PatientSessionEntity } from '../../../../shared/node/entities/server';
import type { PatientAccountRow, PatientSessionRow } from '../../../../shared/node/entities/server';
import { SecondFactorEntity } from '../../../../shared/node/entities/secondFactor';
import type { SecondFactorRow } from '../../../../shared/node/entities/secondFactor';
import { keyedHash, randomToken } from '../../../../shared/node/secrets';
import { validateOrThrow } from '../../../../shared/validation/validate';
import type { ServerContext } from '../../context';
import { audit } from '../audit/audit';
import { requireClinic } from '../clinic/service';
import { auditInvalidSignIn, guardedSignIn } from '../sign-in-lockout/guardedSignIn';
import { signInSucceeded } from '../sign-in-lockout/lockout';
import { hasConfirmedFactor, verifyCode } from '../second-factor/factor';

export const IDLE_TIMEOUT_MS = 15 * 60_000;
export const ABSOLUTE_LIFETIME_MS = 12 * 60 * 60_000;

const signInSchema = object({
  username: string().trim().required('Enter your username.').max(64, 'That username is too long.'),
  password: string().required('Enter your password.').max(256, 'That password is too long.'),
  code: string().trim().max(32, 'Enter the 6-digit code from your authenticator app.').optional(),
});

const INVALID = new DomainError('invalid_credentials', 'The username or password is not right. Check them and try again.');

export interface PatientPrincipal {
  session: PatientSessionRow;
  account: PatientAccountRow;
}

/**
 * Signs a patient in; returns the new session's cookie value (a fresh id every sign-in). Wrong
 * tries lock the account and the address with growing waits (see sign-in-lockout).
 */
export async function signIn(ctx: ServerContext, input: unknown, ip: string | null): Promise<{ cookie: string; view: PatientSessionView }> {
  const clinic = await ctx.db.read(requireClinic);
  let form: { username: string; password: string; code?: string };
  try {
    form = validateOrThrow(signInSchema, input);
  } catch (err) {
    await auditInvalidSignIn(ctx, 'patient', clinic.id, ip);
    throw err;
  }
  const usernameNormalized = form.username.toLowerCase();
  const { account, attempt } = await guardedSignIn(ctx, {
    audience: 'patient',
    clinicId: clinic.id,
    ip,
    usernameNormalized,
    password: form.password,
    find: (m) => m.findOneBy(PatientAccountEntity, { usernameNormalized }),
    invalid: INVALID,
  });
  // The password was right: its count starts again (wrong codes count apart).
  await ctx.db.write((m) => signInSucceeded(m, attempt));
  const owner = { kind: 'patient' as const, id: account.id, clinicId: clinic.id };
  const hasFactor = await ctx.db.read((m) => hasConfirmedFactor(m, owner));
  let secondFactorAt: string | null = null;
  if (hasFactor) {
    // The patient turned on a second factor: no session without its code (never an emailed one).
    if (!form.code) {
      throw new DomainError('second_factor_required', 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.', { code: 'Enter the 6-digit code from your authenticator app.' });
    }
    try {
      await verifyCode(ctx, owner, form.code);
    } catch (err) {
      await ctx.db.write((m) => audit(m, clinic.id, { kind: 'anonymous', id: account.id, ip }, 'patient.sign_in_failed', null, ctx.now(), 'reason=wrong_second_factor'));
      throw err;
    }
    secondFactorAt = ctx.now().toISOString();
  }
  const now = ctx.now();
  const cookie = randomToken();
  const session: PatientSessionRow = {
    idHash: keyedHash(ctx.secret, cookie),
    accountId: account.id,
    csrfToken: randomToken(24),
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ABSOLUTE_LIFETIME_MS).toISOString(),
    secondFactorAt,
  };
  await ctx.db.write(async (m) => {
    await m.insert(PatientSessionEntity, session);
    await audit(m, clinic.id, { kind: 'patient', id: account.id, ip }, 'patient.sign_in', null, now);
  });
  return { cookie, view: await sessionView(ctx, { session, account }) };
}

/** The clinic-wide idle limit: PortalConfig.patientIdleTimeoutMs, 15 minutes unless a test shortens it. */
export function idleTimeoutMs(ctx: ServerContext): number {
  return ctx.config.patientIdleTimeoutMs ?? IDLE_TIMEOUT_MS;
}

/** Milliseconds until this session ends for inactivity (as of its last recorded request). */
export function idleRemainingMs(ctx: ServerContext, session: PatientSessionRow): number {
  return Math.max(0, new Date(session.lastSeenAt).getTime() + idleTimeoutMs(ctx) - ctx.now().getTime());
}

/**
 * The session behind a cookie, if it is still alive (idle timeout and absolute lifetime).
 * `touch: 'always'` records this request as activity even if the last one was moments ago: the
 * portal's "Stay signed in" relies on it.
 */
export async function findSession(ctx: ServerContext, cookie: string, options: { touch?: 'always' | 'throttled' } = {}): Promise<PatientPrincipal | null> {
  const idHash = keyedHash(ctx.secret, cookie);
  const now = ctx.now();
  const idle = idleTimeoutMs(ctx);
  // One statement for the session, its account and whether a confirmed second factor is on: every
  // request asks (it was a transaction of three reads).
  const row = await ctx.db.read((m) =>
    m
      .createQueryBuilder(PatientSessionEntity, 's')
      .innerJoinAndMapOne('s.account', PatientAccountEntity.options.name, 'a', 'a.id = s.accountId')
      .leftJoinAndMapOne('s.factor', SecondFactorEntity.options.name, 'f', "f.ownerKind = 'patient' AND f.ownerId = s.accountId AND f.confirmedAt IS NOT NULL")
      .where('s.idHash = :idHash', { idHash })
      .getOne(),
    { oneStatement: true },
  );
  if (!row) {
    return null;
  }
  // The factor's row (its sealed secret) goes no further than this line.
  const { account, factor, ...session } = row as PatientSessionRow & { account: PatientAccountRow; factor: SecondFactorRow | null };
  const idleLimit = new Date(new Date(session.lastSeenAt).getTime() + idle).toISOString();
  const expired = session.expiresAt <= now.toISOString() || idleLimit <= now.toISOString();
  // Expired, or made before the patient turned on a second factor (or without it): ended here.
  if (expired || (!session.secondFactorAt && factor)) {
    await ctx.db.write((m) => m.delete(PatientSessionEntity, { idHash }), { oneStatement: true });
    return null;
  }
  // A read-mostly portal should not write on every request: touch at most once a minute (more
  // often under a short test timeout). Every answer says how long is left, so the browser's idle
  // warning follows the server's clock, not its own guess.
  const sinceTouch = now.getTime() - new Date(session.lastSeenAt).getTime();
  if (options.touch === 'always' || sinceTouch > Math.min(60_000, idle / 15)) {
    session.lastSeenAt = now.toISOString();
    await ctx.db.write((m) => m.update(PatientSessionEntity, { idHash }, { lastSeenAt: session.lastSeenAt }), { oneStatement: true });
  }
  return { session, account };
}

/** Ends every session of an account (but `keep`, when given) in the caller's transaction. */
export async function deleteSessionsOf(m: EntityManager, accountId: string, keep?: PatientSessionRow): Promise<void> {
  await m.delete(PatientSessionEntity, keep ? { accountId, idHash: Not(keep.idHash) } : { accountId });
}

export async function sessionView(ctx: ServerContext, p: PatientPrincipal): Promise<PatientSessionView> {
  return ctx.db.read(async (m) => {
    const patient = await m.findOneByOrFail(PatientEntity, { id: p.account.patientId });
    const clinic = await requireClinic(m);
    return {
      patient: { givenName: patient.givenName, familyName: patient.familyName },
      clinic: { name: clinic.name, phone: clinic.phone },
      language: patient.language ?? null,
      csrfToken: p.session.csrfToken,
      idleTimeoutSeconds: Math.round(idleTimeoutMs(ctx) / 1000),
    };
  });
}

/** "Sign out everywhere": this browser and every other one. */
export async function signOutEverywhere(ctx: ServerContext, p: PatientPrincipal, ip: string | null): Promise<void> {
  await ctx.db.write(async (m) => {
    await deleteSessionsOf(m, p.account.id);
    await audit(m, p.account.clinicId, { kind: 'patient', id: p.account.id, ip }, 'patient.sign_out_everywhere', null, ctx.now());
  });
}

export async function signOut(ctx: ServerContext, p: PatientPrincipal, ip: string | null): Promise<void> {
  await ctx.db.write(async (m) => {
    await m.delete(PatientSessionEntity, { idHash: p.session.idHash });
    await audit(m, p.account.clinicId, { kind: 'patient', id: p.account.id, ip }, 'patient.sign_out', null, ctx.now());
  });
}
