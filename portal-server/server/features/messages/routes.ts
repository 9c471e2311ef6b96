import { Router } from 'express';
import type { ServerContext } from '../../context';
import { asPatient, idParam } from '../patient-session/call';
import { patientOf, requirePatient } from '../patient-session/routes';
import { listThreads, readThread, replyAsPatient, startThreadAsPatient } from './patientService';

/** Patient API: the signed-in patient's conversations with the care team. Bodies are plain text, returned as JSON. */
export function messageRoutes(ctx: ServerContext): Router {
  const router = Router();
  const auth = requirePatient(ctx);
  router.get('/api/messages', auth, async (req, res) => {
    res.json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'read', listThreads));
  });
  router.post('/api/messages', auth, async (req, res) => {
    res.status(201).json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'write', (c) => startThreadAsPatient(c, req.body)));
  });
  // Opening a thread marks the clinic's messages read: a POST, so CSRF and Origin checks apply
  // (a GET could be sent by any page the patient visits).
  router.post('/api/messages/:id/read', requirePatient(ctx, { writeLimit: false }), async (req, res) => {
    const id = idParam(req.params.id, 'conversation');
    res.json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'write', (c) => readThread(c, id)));
  });
  router.post('/api/messages/:id/replies', auth, async (req, res) => {
    const id = idParam(req.params.id, 'conversation');
    res.status(201).json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'write', (c) => replyAsPatient(c, id, req.body)));
  });
  return router;
}
