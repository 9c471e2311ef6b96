import { Router } from 'express';
import type { ServerContext } from '../../context';
import { principalOf, requireStaff } from '../../middleware/staffAuth';
import { queryAudit } from './query';

/** GET /api/staff/audit (admin): the clinic's audit log, filtered (shared/api/staffSecurity.ts). */
export function auditRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/staff/audit', requireStaff(ctx), async (req, res) => {
    res.json(await queryAudit(ctx, principalOf(res), req.query as Record<string, unknown>));
  });
  return router;
}
