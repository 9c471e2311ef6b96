import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { TooManyTries } from '../features/sign-in-lockout/lockout';

/**
 * A fixed-window limit counted in this process's memory, for the sync routes: a flood guard on
 * authenticated consoles, hit on every push and pull. Counting it in the database (as `rateLimit`
 * does for sign-in and the public routes, where instances must agree exactly) would add a write to
 * every sync request — on SQLite a turn of the one write lock for each pull. With N instances a
 * console may make up to N times the limit; the limit is loose enough that this does not matter.
 */
export function localRateLimit(options: { windowMs: number; max: () => number; key: (req: Request) => string; now?: () => number }) {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;
  return (req: Request, _res: Response, next: NextFunction): void => {
    const t = options.now?.() ?? Date.now();
    const start = Math.floor(t / options.windowMs) * options.windowMs;
    if (start !== lastSweep) {
      // A new window: the old ones can go (the map holds at most one window of keys).
      lastSweep = start;
      for (const [k, w] of windows) {
        if (w.start !== start) {
          windows.delete(k);
        }
      }
    }
    const key = options.key(req);
    const w = windows.get(key);
    const count = w && w.start === start ? w.count + 1 : 1;
    windows.set(key, { start, count });
    if (count > options.max()) {
      // The error handler turns this into 429 with a Retry-After header.
      throw new TooManyTries(Math.max(1, Math.ceil((start + options.windowMs - t) / 1000)));
    }
    next();
  };
}

/**
 * The key of a request's bearer token (a hash: the token itself is kept nowhere), or its address
 * when it has none. Desks behind one clinic address are counted apart.
 */
export function deviceTokenKey(req: Request): string {
  const auth = req.get('authorization') ?? '';
  return auth.startsWith('Bearer ') ? `token:${createHash('sha256').update(auth.slice(7)).digest('hex').slice(0, 32)}` : `ip:${req.ip ?? 'unknown'}`;
}
