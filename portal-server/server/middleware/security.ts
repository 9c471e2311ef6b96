import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { DomainError } from '../../../shared/api/errors';

/** Strict headers for the patient SPA and the API. */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    // Chromium treats 127.0.0.1 as secure, so HSTS only matters behind TLS; helmet's default is fine.
  });
}

/** Responses from the API may carry health data: never cache them. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.set('Cache-Control', 'no-store');
  res.set('Pragma', 'no-cache');
  next();
}

/**
 * Cross-site request refusal for cookie-authenticated calls: a browser always sends Origin on a
 * state-changing fetch; it must be our own. Bearer-token calls from the console are exempt.
 */
export function sameOriginOnly(allowedOrigins: () => string[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
      next();
      return;
    }
    if (req.get('authorization')?.startsWith('Bearer ')) {
      next();
      return;
    }
    const origin = req.get('origin');
    if (origin !== undefined && !allowedOrigins().includes(origin)) {
      throw new DomainError('csrf_failed', 'This request came from another site and was refused.');
    }
    next();
  };
}
