import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import { PatientAccountEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import { SignInThrottleEntity } from '../../../../shared/node/entities/security';
import { keyedHash } from '../../../../shared/node/secrets';
import { addressKey } from '../../middleware/addressKey';
import type { ServerContext } from '../../context';

/** After this many failed sign-ins in a row an account (or unknown username) waits 1, 2, 4 … minutes. */
export const ACCOUNT_LOCK_AFTER = 5;
/**
 * After failed sign-ins for this many different usernames from one address (IPv6: one /64), the
 * address waits likewise. One person's repeated mistakes count once: a clinic's patients behind one
 * NAT address are not locked out together because one of them forgot a password (their account
 * locks instead). Guessing across many usernames is what this lock is for.
 */
export const ADDRESS_LOCK_AFTER = 20;
/** An address's usernames are forgotten an hour after its last failure. */
export const ADDRESS_FORGET_AFTER_MS = 60 * 60_000;
export const MAX_LOCK_MINUTES = 60;
/** Failures are forgotten a day after the last one (longer than any lock, so waiting never resets the count). */
export const FORGET_FAILURES_AFTER_MS = 24 * 60 * 60_000;

export type SignInAudience = 'patient' | 'staff';

/** "Too many tries" with the wait in whole minutes; the error handler adds a Retry-After header. */
export class TooManyTries extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', waitMessage(retryAfterSeconds), undefined, { minutes: waitMinutes(retryAfterSeconds) });
  }

  static until(lockedUntil: string, now: Date): TooManyTries {
    return new TooManyTries(Math.max(1, Math.ceil((new Date(lockedUntil).getTime() - now.getTime()) / 1000)));
  }
}

/** The wait in whole minutes, at least one: what the message says and what `params.minutes` carries. */
export function waitMinutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

export function waitMessage(seconds: number): string {
  const minutes = waitMinutes(seconds);
  return `Too many tries. Please wait ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} and try again.`;
}

/** The lock that `failures` earn: none below the threshold, then 1, 2, 4 … minutes, at most an hour. */
export function lockDelayMs(failures: number, threshold: number): number | null {
  if (failures < threshold) {
    return null;
  }
  return Math.min(MAX_LOCK_MINUTES, 2 ** (failures - threshold)) * 60_000;
}

/** What a failure counts against: an account row, or a throttle row (an address, an unknown username). */
type Counter =
  | { kind: 'account'; audience: SignInAudience; id: string }
  | { kind: 'throttle'; scope: string; key: string };

interface CounterSpec {
  entity: EntityTarget<ObjectLiteral>;
  where: ObjectLiteral;
  failures: string;
  lastAt: string;
}

function specOf(c: Counter): CounterSpec {
  if (c.kind === 'throttle') {
    return { entity: SignInThrottleEntity, where: { scope: c.scope, key: c.key }, failures: 'failures', lastAt: 'lastFailureAt' };
  }
  return {
    entity: c.audience === 'patient' ? PatientAccountEntity : StaffUserEntity,
    where: { id: c.id },
    failures: 'failedSignIns',
    lastAt: 'lastFailedSignInAt',
  };
}

interface CounterState {
  failures: number;
  lockedUntil: string | null;
}

async function readCounter(m: EntityManager, c: Counter): Promise<CounterState | null> {
  const spec = specOf(c);
  const row = await m.findOneBy(spec.entity, spec.where);
  if (!row) {
    return null;
  }
  return { failures: Number(row[spec.failures] ?? 0), lockedUntil: (row.lockedUntil as string | null) ?? null };
}

/**
 * Counts one failure unless the counter is locked, and locks it when the count reaches the
 * threshold. One conditional UPDATE does check and count together, so concurrent tries (on any
 * instance sharing the database) can never all slip past the lock.
 */
async function countFailure(m: EntityManager, c: Counter, threshold: number, now: Date, forgetAfterMs = FORGET_FAILURES_AFTER_MS): Promise<{ locked: boolean; state: CounterState }> {
  const spec = specOf(c);
  if (c.kind === 'throttle') {
    await m.createQueryBuilder().insert().into(SignInThrottleEntity).values({ scope: c.scope, key: c.key, failures: 0, lockedUntil: null, lastFailureAt: null }).orIgnore().execute();
  }
  const q = (name: string) => m.connection.driver.escape(name);
  const nowIso = now.toISOString();
  const result = await m
    .createQueryBuilder()
    .update(spec.entity)
    .set({
      [spec.failures]: () => `CASE WHEN ${q(spec.lastAt)} IS NULL OR ${q(spec.lastAt)} < :forgetBefore THEN 1 ELSE ${q(spec.failures)} + 1 END`,
      [spec.lastAt]: nowIso,
    })
    .where(spec.where)
    .andWhere(`(${q('lockedUntil')} IS NULL OR ${q('lockedUntil')} <= :now)`)
    .setParameters({ now: nowIso, forgetBefore: new Date(now.getTime() - forgetAfterMs).toISOString() })
    .execute();
  const state = (await readCounter(m, c)) ?? { failures: 0, lockedUntil: null };
  if (!result.affected) {
    return { locked: state.lockedUntil !== null && state.lockedUntil > nowIso, state };
  }
  const delay = lockDelayMs(state.failures, threshold);
  if (delay !== null) {
    state.lockedUntil = new Date(now.getTime() + delay).toISOString();
    await m.createQueryBuilder().update(spec.entity).set({ lockedUntil: state.lockedUntil }).where(spec.where).execute();
  }
  return { locked: false, state };
}

async function lockedUntilOf(m: EntityManager, c: Counter, now: Date): Promise<string | null> {
  const state = await readCounter(m, c);
  return state?.lockedUntil && state.lockedUntil > now.toISOString() ? state.lockedUntil : null;
}

/** Clears failures and lock, e.g. after a successful sign-in, a staff unlock or a password reset. */
export async function clearAccountLockout(m: EntityManager, audience: SignInAudience, accountId: string): Promise<void> {
  const spec = specOf({ kind: 'account', audience, id: accountId });
  await m.createQueryBuilder().update(spec.entity).set({ [spec.failures]: 0, lockedUntil: null, [spec.lastAt]: null }).where(spec.where).execute();
}

export interface SignInAttempt {
  audience: SignInAudience;
  address: Counter;
  /** This username from this address: the address counts a username once per ADDRESS_FORGET_AFTER_MS. */
  addressUsername: Counter;
  subject: Counter;
  /** Set when this try's failure (already counted) locked the account or username. */
  lockedUntil: string | null;
}

export type AdmitResult =
  | { admitted: true; attempt: SignInAttempt }
  | { admitted: false; reason: 'address_locked' | 'locked'; lockedUntil: string };

/**
 * Step 1 of a sign-in, in the caller's transaction and before the password is checked. Refuses
 * while the address or the username is locked; otherwise counts this try as a failure up front
 * (a success clears it), so a burst of parallel guesses cannot outrun the lock. A username that
 * matches no account is counted in a throttle row keyed by its HMAC, so it answers and waits
 * exactly like a real one.
 */
export async function admitSignIn(
  ctx: ServerContext,
  m: EntityManager,
  o: { audience: SignInAudience; accountId: string | null; usernameNormalized: string; ip: string | null; now: Date },
): Promise<AdmitResult> {
  const from = addressKey(o.ip);
  const address: Counter = { kind: 'throttle', scope: `${o.audience}-address`, key: from };
  const addressUsername: Counter = { kind: 'throttle', scope: `${o.audience}-address-user`, key: keyedHash(ctx.secret, `${o.audience}:${from}:${o.usernameNormalized}`) };
  const subject: Counter = o.accountId
    ? { kind: 'account', audience: o.audience, id: o.accountId }
    : { kind: 'throttle', scope: `${o.audience}-username`, key: keyedHash(ctx.secret, `${o.audience}:${o.usernameNormalized}`) };
  const addressLock = await lockedUntilOf(m, address, o.now);
  if (addressLock) {
    return { admitted: false, reason: 'address_locked', lockedUntil: addressLock };
  }
  const counted = await countFailure(m, subject, ACCOUNT_LOCK_AFTER, o.now);
  if (counted.locked && counted.state.lockedUntil) {
    return { admitted: false, reason: 'locked', lockedUntil: counted.state.lockedUntil };
  }
  return { admitted: true, attempt: { audience: o.audience, address, addressUsername, subject, lockedUntil: counted.state.lockedUntil } };
}

/**
 * Step 2 after a wrong password (or unknown username, or inactive account): counts the failure
 * against the address too. Returns the "wait" refusal when this try caused a lock, else null
 * (the caller answers "username or password is not right").
 */
export async function signInFailed(m: EntityManager, attempt: SignInAttempt, now: Date): Promise<TooManyTries | null> {
  const seen = await countFailure(m, attempt.addressUsername, Number.MAX_SAFE_INTEGER, now, ADDRESS_FORGET_AFTER_MS);
  // A username that already failed from here lately is not counted against the address again.
  const address = seen.state.failures === 1 ? (await countFailure(m, attempt.address, ADDRESS_LOCK_AFTER, now, ADDRESS_FORGET_AFTER_MS)).state : ((await readCounter(m, attempt.address)) ?? { failures: 0, lockedUntil: null });
  const locks = [attempt.lockedUntil, address.lockedUntil].filter((l): l is string => l !== null && l > now.toISOString());
  const longest = locks.sort().at(-1);
  return longest ? TooManyTries.until(longest, now) : null;
}

/** Step 2 after the right password: the account's count starts again (the address's does not). */
export async function signInSucceeded(m: EntityManager, attempt: SignInAttempt): Promise<void> {
  if (attempt.subject.kind === 'account') {
    await clearAccountLockout(m, attempt.subject.audience, attempt.subject.id);
  }
}

/** Deletes throttle rows nobody needs any more (the periodic sweep). */
export async function sweepSignInThrottle(m: EntityManager, now: Date): Promise<void> {
  const q = (name: string) => m.connection.driver.escape(name);
  await m
    .createQueryBuilder()
    .delete()
    .from(SignInThrottleEntity)
    .where(`(${q('lastFailureAt')} IS NULL OR ${q('lastFailureAt')} < :forgetBefore) AND (${q('lockedUntil')} IS NULL OR ${q('lockedUntil')} <= :now)`, {
      forgetBefore: new Date(now.getTime() - FORGET_FAILURES_AFTER_MS).toISOString(),
      now: now.toISOString(),
    })
    .execute();
}

/**
 * Wrong second-factor codes (issue 13) lock like wrong passwords: a counter per account (kept in
 * the throttle table), counted up front before the code is checked, so parallel guesses cannot
 * outrun it; after ACCOUNT_LOCK_AFTER failures the account waits 1, 2, 4 … minutes. Only a right
 * code clears it — a right password alone never does.
 */
function secondFactorCounter(audience: SignInAudience, accountId: string): Counter {
  return { kind: 'throttle', scope: `${audience}-second-factor`, key: accountId };
}

/** Refuses (TooManyTries) while the account's codes are locked; otherwise counts this try as a failure. */
export async function admitSecondFactor(m: EntityManager, audience: SignInAudience, accountId: string, now: Date): Promise<{ lockedUntil: string | null }> {
  const counted = await countFailure(m, secondFactorCounter(audience, accountId), ACCOUNT_LOCK_AFTER, now);
  if (counted.locked && counted.state.lockedUntil) {
    throw TooManyTries.until(counted.state.lockedUntil, now);
  }
  return { lockedUntil: counted.state.lockedUntil };
}

/** A right code: the account's code count starts again. */
export async function secondFactorSucceeded(m: EntityManager, audience: SignInAudience, accountId: string): Promise<void> {
  await m.delete(SignInThrottleEntity, { scope: `${audience}-second-factor`, key: accountId });
}
