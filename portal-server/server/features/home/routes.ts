import { Router } from 'express';
import type { ServerContext } from '../../context';
import { asPatient } from '../patient-session/call';
import { patientOf, requirePatient } from '../patient-session/routes';
import { homeSummary } from './service';

export function homeRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/home', requirePatient(ctx), async (req, res) => {
    res.json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'read', homeSummary));
  });
  return router;
}
