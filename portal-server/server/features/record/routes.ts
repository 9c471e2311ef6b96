import { Router } from 'express';
import type { ServerContext } from '../../context';
import { asPatient } from '../patient-session/call';
import { patientOf, requirePatient } from '../patient-session/routes';
import { readOwnRecord } from './service';

/**
 * Patient API: the signed-in patient's medical record. Reading it writes an audit event, so it is
 * a POST: CSRF and Origin checks apply, and no other site can make the portal write that event.
 */
export function recordRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.post('/api/record/view', requirePatient(ctx, { writeLimit: false }), async (req, res) => {
    res.json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'write', readOwnRecord));
  });
  return router;
}
