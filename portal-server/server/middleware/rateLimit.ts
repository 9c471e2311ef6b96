import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../../shared/api/errors';

/**
 * A fixed-window limit per client address (req.ip honours TRUST_PROXY). In memory: one instance's
 * view. The security-hardening work moves limits into the database for several instances.
 */
export function rateLimit(options: { windowMs: number; max: number; now?: () => number }) {
  const hits = new Map<string, { count: number; resetAt: number }>();
  const now = options.now ?? Date.now;
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = req.ip ?? 'unknown';
    const t = now();
    let entry = hits.get(key);
    if (!entry || entry.resetAt <= t) {
      entry = { count: 0, resetAt: t + options.windowMs };
      hits.set(key, entry);
      if (hits.size > 10_000) {
        for (const [k, v] of hits) {
          if (v.resetAt <= t) {
            hits.delete(k);
          }
        }
      }
    }
    entry.count += 1;
    if (entry.count > options.max) {
      const seconds = Math.ceil((entry.resetAt - t) / 1000);
      res.set('Retry-After', String(seconds));
      throw new DomainError('rate_limited', `Too many attempts. Please wait ${Math.ceil(seconds / 60)} minute(s) and try again.`);
    }
    next();
  };
}
