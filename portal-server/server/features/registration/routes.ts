import { Router } from 'express';
import type { RegistrationRequest } from '../../../../shared/api/types';
import type { ServerContext } from '../../context';
import { publicBody } from '../../middleware/bodyLimits';
import { rateLimit } from '../../middleware/rateLimit';
import { checkRegistrationLink, registerPatient, registerWithRegistrationId } from './service';

export function registrationRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.post('/api/registration', publicBody, rateLimit({ windowMs: 10 * 60_000, max: 30 }), async (req, res) => {
    res.status(201).json(await registerPatient(ctx, (req.body ?? {}) as RegistrationRequest, req.ip ?? null));
  });
  // Without the link the Registration ID is the only secret, so guesses are limited harder (an ID
  // that matches nothing counts nowhere else); one bucket per address whatever the ID tried.
  router.post('/api/registration/by-registration-id', publicBody, rateLimit({ windowMs: 60 * 60_000, max: 10 }), async (req, res) => {
    res.status(201).json(await registerWithRegistrationId(ctx, req.body ?? {}, req.ip ?? null));
  });
  // Opening the page checks its link first (POST: the token stays out of access logs). Limited per
  // address like the form, so the check is no faster way to guess tokens than registering.
  router.post('/api/registration/link-status', publicBody, rateLimit({ windowMs: 10 * 60_000, max: 30 }), async (req, res) => {
    res.json(await checkRegistrationLink(ctx, req.body ?? {}));
  });
  return router;
}
