import { Router } from 'express';
import { MailOutboxEntity } from '../../../../shared/node/entities/server';
import { version } from '../../../../package.json';
import type { ServerContext } from '../../context';
import { withinDeadline } from '../../deadline';
import { DATABASE_RETRY_AFTER_SECONDS } from '../../middleware/dbErrors';
import { isSetUp } from '../clinic/service';

/** How long /readyz waits for the database before calling the instance not ready. */
const READY_QUERY_TIMEOUT_MS = 2_000;

export interface MailBacklog {
  pending: number;
  failed: number;
  /** Seconds since the oldest mail still waiting was queued; null when none waits. */
  oldestPendingAgeSeconds: number | null;
}

/** One query, counted by status in the database (conditional aggregates work on SQLite and PostgreSQL alike). */
async function mailBacklog(ctx: ServerContext): Promise<MailBacklog> {
  const row = await ctx.db.read((m) =>
    m
      .createQueryBuilder(MailOutboxEntity, 'mail')
      .select("COUNT(CASE WHEN mail.status = 'pending' THEN 1 END)", 'pending')
      .addSelect("COUNT(CASE WHEN mail.status = 'failed' THEN 1 END)", 'failed')
      .addSelect("MIN(CASE WHEN mail.status = 'pending' THEN mail.createdAt END)", 'oldestPendingAt')
      .where('mail.status IN (:...statuses)', { statuses: ['pending', 'failed'] })
      .getRawOne<{ pending: number | string; failed: number | string; oldestPendingAt: string | null }>(),
  );
  // PostgreSQL counts in bigint, which node-postgres hands over as a string.
  const oldest = row?.oldestPendingAt ?? null;
  const age = oldest ? Math.max(0, Math.round((ctx.now().getTime() - Date.parse(oldest)) / 1000)) : null;
  return { pending: Number(row?.pending ?? 0), failed: Number(row?.failed ?? 0), oldestPendingAgeSeconds: age };
}

/**
 * GET /healthz — for people and monitoring: version, whether a clinic is set up, the mail backlog
 * and the number of live console streams. No health information, nothing about any patient.
 * GET /readyz — for load balancers: 200 while this instance can serve (its database answers and
 * it is not shutting down), else 503 with Retry-After.
 */
export function healthRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    res.json({ ok: true, version, setUp: await isSetUp(ctx), mail: await mailBacklog(ctx), liveStreams: ctx.changes.size, draining: ctx.draining });
  });
  router.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    if (ctx.draining) {
      res.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS)).status(503).json({ ready: false, reason: 'shutting down' });
      return;
    }
    try {
      await withinDeadline(ctx.db.read((m) => m.query('SELECT 1')), READY_QUERY_TIMEOUT_MS);
      res.json({ ready: true });
    } catch {
      res.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS)).status(503).json({ ready: false, reason: 'database unavailable' });
    }
  });
  return router;
}
