import { Router } from 'express';
import type { ServerContext } from '../../context';
import { isSetUp } from '../clinic/service';

export function healthRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    res.json({ ok: true, setUp: await isSetUp(ctx) });
  });
  return router;
}
