import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import { DomainError } from '../../../../shared/api/errors';
import { CSRF_HEADER, SESSION_COOKIE, SESSION_IDLE_HEADER } from '../../../../shared/api/types';
import type { ServerContext } from '../../context';
import { publicBody } from '../../middleware/bodyLimits';
import { rateLimit } from '../../middleware/rateLimit';
import type { PatientPrincipal } from './service';
import { ABSOLUTE_LIFETIME_MS, findSession, idleRemainingMs, sessionView, signIn, signOut, signOutEverywhere } from './service';

export function readCookie(req: Request): string | null {
  const header = req.get('cookie') ?? '';
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      return rest.join('=') || null;
    }
  }
  return null;
}

/** __Host- cookie: HttpOnly, Secure (Chromium accepts it on 127.0.0.1 and localhost), SameSite=Lax, Path=/. */
function setSessionCookie(res: Response, value: string, maxAgeMs: number): void {
  res.append('Set-Cookie', `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=${Math.floor(maxAgeMs / 1000)}`);
}

/** A signed-in patient's writes, counted per account (not per address: many patients share a clinic's or a carrier's NAT). */
export const PATIENT_WRITE_WINDOW_MS = 60 * 60_000;
export const DEFAULT_PATIENT_WRITES_PER_HOUR = 60;

/**
 * Signed-in patient, and for state-changing requests a matching CSRF token and the write limit
 * (PATIENT_WRITES_PER_HOUR per account, all write routes together; `writeLimit: false` for
 * signing out and for opening what is already there). Every answer carries the seconds left
 * before the idle timeout, so the portal warns on the server's schedule.
 */
export function requirePatient(ctx: ServerContext, options: { touch?: 'always' | 'throttled'; writeLimit?: boolean } = {}) {
  const max = ctx.config.patientWritesPerHour ?? DEFAULT_PATIENT_WRITES_PER_HOUR;
  const writes =
    options.writeLimit === false || max === 0
      ? null
      : rateLimit({ windowMs: PATIENT_WRITE_WINDOW_MS, max, bucket: 'patient writes', key: (req) => `account:${patientOf(req.res as Response).account.id}` });
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const cookie = readCookie(req);
    const principal = cookie ? await findSession(ctx, cookie, options) : null;
    if (!principal) {
      throw new DomainError('not_signed_in', 'Please sign in to continue.');
    }
    if (!['GET', 'HEAD'].includes(req.method) && req.get(CSRF_HEADER) !== principal.session.csrfToken) {
      throw new DomainError('csrf_failed', 'Your session could not be confirmed. Reload the page and try again.');
    }
    res.locals.patient = principal;
    res.set(SESSION_IDLE_HEADER, String(Math.floor(idleRemainingMs(ctx, principal.session) / 1000)));
    if (writes && !['GET', 'HEAD'].includes(req.method)) {
      await writes(req, res, next);
      return;
    }
    next();
  };
}

export function patientOf(res: Response): PatientPrincipal {
  return res.locals.patient as PatientPrincipal;
}

export function patientSessionRoutes(ctx: ServerContext): Router {
  const router = Router();
  // Signing out is never refused for having written too much.
  const auth = requirePatient(ctx, { writeLimit: false });
  router.post('/api/session', publicBody, rateLimit({ windowMs: 10 * 60_000, max: 30, auditAs: 'patient.sign_in_failed' }), async (req, res) => {
    const { cookie, view } = await signIn(ctx, req.body, req.ip ?? null);
    setSessionCookie(res, cookie, ABSOLUTE_LIFETIME_MS);
    res.json(view);
  });
  // Asking for the session is the portal's "Stay signed in": it always counts as activity.
  router.get('/api/session', requirePatient(ctx, { touch: 'always' }), async (_req, res) => {
    res.json(await sessionView(ctx, patientOf(res)));
  });
  router.delete('/api/session', auth, async (req, res) => {
    await signOut(ctx, patientOf(res), req.ip ?? null);
    setSessionCookie(res, '', 0);
    res.status(204).end();
  });
  router.post('/api/session/sign-out-everywhere', auth, async (req, res) => {
    await signOutEverywhere(ctx, patientOf(res), req.ip ?? null);
    setSessionCookie(res, '', 0);
    res.status(204).end();
  });
  return router;
}
