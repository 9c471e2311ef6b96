import type { EntityManager } from 'typeorm';
import type { DomainError } from '../../../../shared/api/errors';
import { hashPassword, verifyPassword } from '../../../../shared/node/secrets';
import type { ServerContext } from '../../context';
import { audit } from '../audit/audit';
import type { SignInAttempt, SignInAudience } from './lockout';
import { TooManyTries, admitSignIn, signInFailed } from './lockout';

let dummyHash: Promise<string> | undefined;
/** Verifying against a dummy hash keeps "no such user" as slow as "wrong password". */
function dummy(): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password-1A');
  return dummyHash;
}

export interface GuardedSignIn<A extends { id: string; passwordHash: string }> {
  audience: SignInAudience;
  clinicId: string;
  ip: string | null;
  usernameNormalized: string;
  password: string;
  find: (m: EntityManager) => Promise<A | null>;
  /** An account that may not sign in even with the right password (e.g. deactivated staff). */
  refused?: (account: A) => boolean;
  /** The one answer for a wrong username, a wrong password and a refused account. */
  invalid: DomainError;
}

/**
 * Checks a username and password under the lockout rules and audits every refusal
 * (`<audience>.sign_in_failed` with the reason in `detail`). Returns the account and the attempt;
 * the caller creates the session and calls signInSucceeded in one transaction, and audits it.
 * An unknown username gets the same answers and waits as a real one.
 */
export async function guardedSignIn<A extends { id: string; passwordHash: string }>(ctx: ServerContext, o: GuardedSignIn<A>): Promise<{ account: A; attempt: SignInAttempt }> {
  const now = ctx.now();
  const failed = (m: EntityManager, account: A | null, reason: string) =>
    audit(m, o.clinicId, { kind: 'anonymous', id: account?.id ?? null, ip: o.ip }, `${o.audience}.sign_in_failed`, null, now, `reason=${reason}`);

  const admitted = await ctx.db.write(async (m) => {
    const account = await o.find(m);
    const result = await admitSignIn(ctx, m, { audience: o.audience, accountId: account?.id ?? null, usernameNormalized: o.usernameNormalized, ip: o.ip, now });
    if (!result.admitted) {
      await failed(m, account, result.reason);
    }
    return { account, result };
  });
  if (!admitted.result.admitted) {
    throw TooManyTries.until(admitted.result.lockedUntil, now);
  }
  const { account } = admitted;
  const attempt = admitted.result.attempt;
  const ok = await verifyPassword(account?.passwordHash ?? (await dummy()), o.password);
  if (!account || !ok || o.refused?.(account)) {
    const reason = !account ? 'unknown_username' : !ok ? 'wrong_password' : 'refused';
    const wait = await ctx.db.write(async (m) => {
      await failed(m, account, reason);
      return signInFailed(m, attempt, now);
    });
    throw wait ?? o.invalid;
  }
  return { account, attempt };
}

/** For a sign-in whose form did not even validate: audited, then the validation error goes back. */
export async function auditInvalidSignIn(ctx: ServerContext, audience: SignInAudience, clinicId: string, ip: string | null): Promise<void> {
  await ctx.db.write((m) => audit(m, clinicId, { kind: 'anonymous', id: null, ip }, `${audience}.sign_in_failed`, null, ctx.now(), 'reason=invalid_input'));
}
