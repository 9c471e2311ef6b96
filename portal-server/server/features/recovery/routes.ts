import { Router } from 'express';
import type { ServerContext } from '../../context';
import { publicBody } from '../../middleware/bodyLimits';
import { rateLimit } from '../../middleware/rateLimit';
import { completeRecovery, startRecovery, verifyRecovery } from './service';

/**
 * Forgot password / forgot username, before sign-in. Limited per address (req.ip honours
 * TRUST_PROXY) on top of the per-recovery limit of five wrong tries.
 */
export function recoveryRoutes(ctx: ServerContext): Router {
  const router = Router();
  const startLimit = rateLimit({ windowMs: 15 * 60_000, max: 10 });
  const codeLimit = rateLimit({ windowMs: 15 * 60_000, max: 30 });
  router.post('/api/recovery/start', publicBody, startLimit, async (req, res) => {
    res.status(202).json(await startRecovery(ctx, req.body ?? {}, req.ip ?? null));
  });
  router.post('/api/recovery/verify', publicBody, codeLimit, async (req, res) => {
    res.json(await verifyRecovery(ctx, req.body ?? {}, req.ip ?? null));
  });
  router.post('/api/recovery/complete', publicBody, codeLimit, async (req, res) => {
    res.json(await completeRecovery(ctx, req.body ?? {}, req.ip ?? null));
  });
  return router;
}
