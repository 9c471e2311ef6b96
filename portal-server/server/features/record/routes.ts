import { Router } from 'express';
import type { ServerContext } from '../../context';
import { asPatient } from '../patient-session/call';
import { patientOf, requirePatient } from '../patient-session/routes';
import { readOwnRecord } from './service';

/** Patient API: the signed-in patient's medical record. Reading it writes an audit event. */
export function recordRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/record', requirePatient(ctx), async (req, res) => {
    res.json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'write', readOwnRecord));
  });
  return router;
}
