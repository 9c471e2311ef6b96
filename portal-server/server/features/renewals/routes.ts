import { Router } from 'express';
import type { ServerContext } from '../../context';
import { asPatient } from '../patient-session/call';
import { patientOf, requirePatient } from '../patient-session/routes';
import { listRenewals, requestRenewal } from './service';

/** Patient API: the signed-in patient's renewal requests. */
export function renewalRoutes(ctx: ServerContext): Router {
  const router = Router();
  const auth = requirePatient(ctx);
  router.get('/api/renewals', auth, async (req, res) => {
    res.json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'read', listRenewals));
  });
  router.post('/api/renewals', auth, async (req, res) => {
    res.status(201).json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'write', (c) => requestRenewal(c, req.body)));
  });
  return router;
}
