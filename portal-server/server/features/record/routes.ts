import { Router } from 'express';
import type { ServerContext } from '../../context';
import { patientOf, requirePatient } from '../patient-session/routes';
import { viewOwnRecord } from './service';

/**
 * Patient API: the signed-in patient's medical record. Reading it writes an audit event, so it is
 * a POST: CSRF and Origin checks apply, and no other site can make the portal write that event.
 */
export function recordRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.post('/api/record/view', requirePatient(ctx, { writeLimit: false }), async (req, res) => {
    res.json(await viewOwnRecord(ctx, patientOf(res), req.ip ?? null));
  });
  return router;
}
