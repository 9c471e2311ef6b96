import { Router } from 'express';
import type { ServerContext } from '../../context';
import { asPatient, idParam } from '../patient-session/call';
import { patientOf, requirePatient } from '../patient-session/routes';
import { acceptProposal, cancelOwnAppointment, declineProposal, listAppointments, listPhysicians, requestAppointment } from './patientService';

/** Patient API: the signed-in patient's appointments (shared/api/patient.ts). */
export function appointmentRoutes(ctx: ServerContext): Router {
  const router = Router();
  const auth = requirePatient(ctx);
  router.get('/api/physicians', auth, async (req, res) => {
    res.json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'read', listPhysicians));
  });
  router.get('/api/appointments', auth, async (req, res) => {
    res.json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'read', listAppointments));
  });
  router.post('/api/appointments', auth, async (req, res) => {
    res.status(201).json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'write', (c) => requestAppointment(c, req.body)));
  });
  const actions = { cancel: cancelOwnAppointment, accept: acceptProposal, decline: declineProposal } as const;
  for (const [action, run] of Object.entries(actions)) {
    router.post(`/api/appointments/:id/${action}`, auth, async (req, res) => {
      const id = idParam(req.params.id, 'appointment');
      res.json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'write', (c) => run(c, id)));
    });
  }
  return router;
}
