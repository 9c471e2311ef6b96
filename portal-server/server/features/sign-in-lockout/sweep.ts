import { LessThan } from 'typeorm';
import { PasswordResetEntity } from '../../../../shared/node/entities/security';
import type { ServerContext } from '../../context';
import { sweepRateLimits } from '../../middleware/rateLimit';
import { sweepSignInThrottle } from './lockout';

/** Ended rate-limit windows, forgotten failures and long-dead reset links leave the database. */
export async function sweepSecurityRows(ctx: ServerContext): Promise<void> {
  const now = ctx.now();
  await ctx.db.write(async (m) => {
    await sweepRateLimits(m, now);
    await sweepSignInThrottle(m, now);
    await m.delete(PasswordResetEntity, { expiresAt: LessThan(new Date(now.getTime() - 7 * 86_400_000).toISOString()) });
  });
}
