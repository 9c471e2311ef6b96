import { Router } from 'express';
import type { ServerContext } from '../../context';
import { principalOf, requireStaff } from '../../middleware/staffAuth';
import { publicInfo, requireClinic } from './service';
import { updateClinicSettings } from './settings';

export function clinicRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/clinic', async (_req, res) => {
    const clinic = await ctx.db.read(requireClinic);
    res.json(publicInfo(clinic, ctx.now()));
  });
  // Admins only (checked in the service); GET /api/staff/me returns the clinic for every role.
  router.patch('/api/staff/clinic', requireStaff(ctx), async (req, res) => {
    res.json(await updateClinicSettings(ctx, principalOf(res), req.body, req.ip ?? null));
  });
  return router;
}
