import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import { DomainError } from '../../../../shared/api/errors';
import { SYNC_PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../../../shared/sync/protocol';
import type { ServerInfo } from '../../../../shared/sync/protocol';
import type { ServerContext } from '../../context';
import { deviceTokenKey, localRateLimit } from '../../middleware/localRateLimit';
import { principalOf, requireStaff } from '../../middleware/staffAuth';
import { findClinic } from '../clinic/service';
import { claimClient } from './binding';
import { readHead } from './changeLog';
import { parseCursor, pull, push } from './service';

/** A console speaking an older protocol gets 426 and a message it can show. */
function protocolCheck(req: Request, _res: Response, next: NextFunction): void {
  const version = Number(req.get(SYNC_PROTOCOL_HEADER) ?? 0);
  if (version !== SYNC_PROTOCOL_VERSION) {
    throw new DomainError(
      'protocol_outdated',
      version < SYNC_PROTOCOL_VERSION
        ? 'This console is older than the clinic server. Update the console to keep syncing; your unsent changes are kept.'
        : 'The clinic server is older than this console. Ask your administrator to update the server; your unsent changes are kept.',
    );
  }
  next();
}

/**
 * Per console (device token), per minute, per instance (localRateLimit): loose enough for a
 * 100,000-record catch-up (100 pages of 1,000) and a busy desk, tight enough that one token cannot
 * flood the server. PORTAL_SYNC_RATE (push and pull requests a minute) changes it.
 */
const syncLimit = (ctx: ServerContext) => localRateLimit({ windowMs: 60_000, max: () => ctx.config.syncRequestsPerMinute ?? 1200, key: deviceTokenKey });

export function syncRoutes(ctx: ServerContext): Router {
  const router = Router();
  const auth = requireStaff(ctx);
  const limit = syncLimit(ctx);
  const streamLimit = localRateLimit({ windowMs: 60_000, max: () => 60, key: deviceTokenKey });
  // Before a desk joins (issue 16): which clinic this is and which protocol it speaks. Unauthenticated
  // and without protocolCheck, so an outdated console can still be told what to do; no health data.
  router.get('/api/sync/server-info', async (_req, res) => {
    const clinic = await ctx.db.read(findClinic);
    const info: ServerInfo = { clinicId: clinic?.id ?? null, clinicName: clinic?.name ?? null, protocolVersion: SYNC_PROTOCOL_VERSION };
    res.json(info);
  });
  router.post('/api/sync/push', protocolCheck, auth, limit, async (req, res) => {
    res.json(await push(ctx, principalOf(res), req.body, req.ip ?? null));
  });
  router.post('/api/sync/client', protocolCheck, auth, streamLimit, async (req, res) => {
    await claimClient(ctx, principalOf(res), req.body);
    res.status(204).end();
  });
  router.get('/api/sync/pull', protocolCheck, auth, limit, async (req, res) => {
    const { cursor, limit } = parseCursor(req.query as Record<string, unknown>);
    res.json(await pull(ctx, principalOf(res), cursor, limit));
  });
  router.get('/api/sync/events', protocolCheck, auth, streamLimit, async (req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    ctx.changes.add(res, principalOf(res).device.id);
    try {
      ctx.changes.send(res, await ctx.db.read(readHead));
    } catch {
      // The server is stopping: the console reconnects later.
      res.end();
    }
  });
  return router;
}
