import { Router } from 'express';
import type { Response } from 'express';
import type { ServerContext } from '../../context';
import { rateLimit } from '../../middleware/rateLimit';
import { asPatient } from '../patient-session/call';
import { patientOf, requirePatient } from '../patient-session/routes';
import { changeLanguage, changePhone, confirmEmailChange, contactDetails, requestEmailChange } from './contactService';
import { confirmPatientEnrolment, disablePatientFactor, patientFactorStatus, renewPatientRecoveryCodes, startPatientEnrolment } from '../second-factor/patientFactor';
import { changePassword, recordAccess } from './service';

/** Patient API: the signed-in patient's own account. */
export function accountRoutes(ctx: ServerContext): Router {
  const router = Router();
  const auth = requirePatient(ctx);
  // Someone at an unattended, signed-in browser must not get to guess the current password at will.
  router.post('/api/account/password', auth, rateLimit({ windowMs: 15 * 60_000, max: 10 }), async (req, res) => {
    await changePassword(ctx, patientOf(res), req.body ?? {}, req.ip ?? null);
    res.status(204).end();
  });
  // Contact details. Writes count toward PATIENT_WRITES_PER_HOUR (requirePatient); the email change
  // also checks the current password, so it has the password route's limit as well.
  router.get('/api/account/contact', auth, async (req, res) => {
    res.json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'read', contactDetails));
  });
  router.post('/api/account/phone', auth, async (req, res) => {
    res.json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'write', (c) => changePhone(c, req.body ?? {})));
  });
  // The patient's language (issue 15): a write like the others, under PATIENT_WRITES_PER_HOUR.
  router.put('/api/account/language', auth, async (req, res) => {
    await asPatient(ctx, patientOf(res), req.ip ?? null, 'write', (c) => changeLanguage(c, req.body ?? {}));
    res.status(204).end();
  });
  router.post('/api/account/email', auth, rateLimit({ windowMs: 15 * 60_000, max: 10, bucket: 'email change', key: (req) => `account:${patientOf(req.res as Response).account.id}` }), async (req, res) => {
    const p = patientOf(res);
    res.json(await requestEmailChange(ctx, p, req.body ?? {}, (fn) => asPatient(ctx, p, req.ip ?? null, 'write', fn)));
  });
  router.post('/api/account/email/confirm', auth, async (req, res) => {
    const result = await asPatient(ctx, patientOf(res), req.ip ?? null, 'write', (c) => confirmEmailChange(c, req.body ?? {}));
    if (!result.ok) {
      throw result.error;
    }
    res.json(result.view);
  });
  router.get('/api/account/second-factor', auth, async (_req, res) => {
    res.json(await patientFactorStatus(ctx, patientOf(res)));
  });
  router.post('/api/account/second-factor/enrolment', auth, async (_req, res) => {
    res.json(await startPatientEnrolment(ctx, patientOf(res)));
  });
  router.post('/api/account/second-factor/confirm', auth, async (req, res) => {
    res.json(await confirmPatientEnrolment(ctx, patientOf(res), req.body, req.ip ?? null));
  });
  router.post('/api/account/second-factor/recovery-codes', auth, async (req, res) => {
    res.json(await renewPatientRecoveryCodes(ctx, patientOf(res), req.body, req.ip ?? null));
  });
  router.post('/api/account/second-factor/disable', auth, async (req, res) => {
    await disablePatientFactor(ctx, patientOf(res), req.body, req.ip ?? null);
    res.status(204).end();
  });
  router.get('/api/account/record-access', auth, async (req, res) => {
    res.json(await asPatient(ctx, patientOf(res), req.ip ?? null, 'read', recordAccess));
  });
  return router;
}
