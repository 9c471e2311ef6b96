import { Router } from 'express';
import type { ServerContext } from '../../context';
import { principalOf, requireStaff } from '../../middleware/staffAuth';
import { resetPatientFactorByDesk } from '../second-factor/patientFactor';
import { unlockPatientAccount } from './unlock';

/**
 * POST /api/staff/patients/:patientId/unlock-account (receptionist or admin) → 204.
 * POST /api/staff/patients/:patientId/second-factor/reset (receptionist or admin) → 204.
 */
export function lockoutRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.post('/api/staff/patients/:patientId/unlock-account', requireStaff(ctx), async (req, res) => {
    await unlockPatientAccount(ctx, principalOf(res), req.params.patientId, req.ip ?? null);
    res.status(204).end();
  });
  router.post('/api/staff/patients/:patientId/second-factor/reset', requireStaff(ctx), async (req, res) => {
    await resetPatientFactorByDesk(ctx, principalOf(res), req.params.patientId, req.ip ?? null);
    res.status(204).end();
  });
  return router;
}
