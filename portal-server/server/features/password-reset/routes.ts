import { Router } from 'express';
import type { ServerContext } from '../../context';
import { publicBody } from '../../middleware/bodyLimits';
import { rateLimit } from '../../middleware/rateLimit';
import { principalOf, requireStaff } from '../../middleware/staffAuth';
import { completePasswordReset, sendPasswordReset } from './service';

/**
 * POST /api/staff/patients/:patientId/password-reset (receptionist or admin) → 202 StaffPasswordResetResponse
 * POST /api/password-reset (the patient, from the emailed link) → 204
 */
export function passwordResetRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.post('/api/staff/patients/:patientId/password-reset', requireStaff(ctx), async (req, res) => {
    res.status(202).json(await sendPasswordReset(ctx, principalOf(res), req.params.patientId, req.ip ?? null));
  });
  router.post('/api/password-reset', publicBody, rateLimit({ windowMs: 10 * 60_000, max: 30 }), async (req, res) => {
    await completePasswordReset(ctx, req.body ?? {}, req.ip ?? null);
    res.status(204).end();
  });
  return router;
}
