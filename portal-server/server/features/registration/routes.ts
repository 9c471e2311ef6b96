import { Router } from 'express';
import type { RegistrationRequest } from '../../../../shared/api/types';
import type { ServerContext } from '../../context';
import { publicBody } from '../../middleware/bodyLimits';
import { rateLimit } from '../../middleware/rateLimit';
import { registerPatient } from './service';

export function registrationRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.post('/api/registration', publicBody, rateLimit({ windowMs: 10 * 60_000, max: 30 }), async (req, res) => {
    res.status(201).json(await registerPatient(ctx, (req.body ?? {}) as RegistrationRequest, req.ip ?? null));
  });
  return router;
}
