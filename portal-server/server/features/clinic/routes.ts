import { Router } from 'express';
import type { ServerContext } from '../../context';
import { publicInfo, requireClinic } from './service';

export function clinicRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/clinic', async (_req, res) => {
    const clinic = await ctx.db.read(requireClinic);
    res.json(publicInfo(clinic, ctx.now()));
  });
  return router;
}
