import type { Express, NextFunction, Request, Response } from 'express';
import type { EntityManager } from 'typeorm';
import { RateLimitEntity } from '../../../shared/node/entities/security';
import type { ServerContext } from '../context';
import { audit } from '../features/audit/audit';
import { findClinic } from '../features/clinic/service';
import { TooManyTries } from '../features/sign-in-lockout/lockout';
import { addressKey } from './addressKey';

const CONTEXT_KEY = 'serverContext';

/** createApp calls this so route-level middleware can reach the database without a new argument. */
export function provideContext(app: Express, ctx: ServerContext): void {
  app.locals[CONTEXT_KEY] = ctx;
}

function contextOf(req: Request): ServerContext {
  const ctx = req.app.locals[CONTEXT_KEY] as ServerContext | undefined;
  if (!ctx) {
    throw new Error('rateLimit needs the server context (createApp provides it).');
  }
  return ctx;
}

/**
 * A fixed-window limit per client address (req.ip, which honours TRUST_PROXY; IPv6 grouped by its
 * /64, see addressKey) and route, counted in the database so several portal-server instances
 * sharing it agree. `key` counts by something else (a signed-in patient's account); `bucket`
 * defaults to the route ("POST /api/session"); `now` overrides the server's clock; `auditAs`
 * records each refusal as that audit action (sign-in routes: a refused sign-in is a failed one).
 */
export function rateLimit(options: { windowMs: number; max: number; now?: () => number; bucket?: string; auditAs?: string; key?: (req: Request) => string }) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const ctx = contextOf(req);
    const route = (req.route as { path?: unknown } | undefined)?.path;
    const bucket = (options.bucket ?? `${req.method} ${req.baseUrl}${typeof route === 'string' ? route : req.path}`).slice(0, 100);
    const key = (options.key?.(req) ?? addressKey(req.ip)).slice(0, 128);
    const t = options.now?.() ?? ctx.now().getTime();
    const windowStart = Math.floor(t / options.windowMs) * options.windowMs;
    const count = await ctx.db.write((m) => countHit(m, bucket, key, windowStart, options.windowMs));
    if (count > options.max) {
      if (options.auditAs) {
        const action = options.auditAs;
        await ctx.db.write(async (m) => {
          const clinic = await findClinic(m);
          if (clinic) {
            await audit(m, clinic.id, { kind: 'anonymous', id: null, ip: req.ip ?? null }, action, null, ctx.now(), 'reason=rate_limited');
          }
        });
      }
      // The error handler turns this into 429 with a Retry-After header.
      throw new TooManyTries(Math.max(1, Math.ceil((windowStart + options.windowMs - t) / 1000)));
    }
    next();
  };
}

/**
 * Adds one hit to the (bucket, key) window and returns the window's count. The row is created if
 * missing (INSERT … ON CONFLICT DO NOTHING) and then bumped with one UPDATE: the database serialises
 * concurrent bumps on the row, so no hit is lost between instances.
 */
export async function countHit(m: EntityManager, bucket: string, key: string, windowStartMs: number, windowMs: number): Promise<number> {
  const windowStart = new Date(windowStartMs).toISOString();
  const expiresAt = new Date(windowStartMs + windowMs).toISOString();
  await m.createQueryBuilder().insert().into(RateLimitEntity).values({ bucket, key, windowStart, count: 0, expiresAt }).orIgnore().execute();
  const q = (name: string) => m.connection.driver.escape(name);
  await m
    .createQueryBuilder()
    .update(RateLimitEntity)
    .set({ count: () => `CASE WHEN ${q('windowStart')} = :windowStart THEN ${q('count')} + 1 ELSE 1 END`, windowStart, expiresAt })
    .where({ bucket, key })
    .setParameters({ windowStart })
    .execute();
  const row = await m.findOneByOrFail(RateLimitEntity, { bucket, key });
  return row.count;
}

/** Deletes windows that have ended (the periodic sweep). */
export async function sweepRateLimits(m: EntityManager, now: Date): Promise<void> {
  const q = (name: string) => m.connection.driver.escape(name);
  await m.createQueryBuilder().delete().from(RateLimitEntity).where(`${q('expiresAt')} < :now`, { now: now.toISOString() }).execute();
}
