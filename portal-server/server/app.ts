import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express from 'express';
import type { Express } from 'express';
import type { ServerContext } from './context';
import { accountRoutes } from './features/account/routes';
import { appointmentRoutes } from './features/appointments/routes';
import { auditRoutes } from './features/audit/routes';
import { clinicRoutes } from './features/clinic/routes';
import { homeRoutes } from './features/home/routes';
import { messageRoutes } from './features/messages/routes';
import { healthRoutes } from './features/health/routes';
import { passwordResetRoutes } from './features/password-reset/routes';
import { letterRoutes } from './features/letters/routes';
import { patientSessionRoutes } from './features/patient-session/routes';
import { recordRoutes } from './features/record/routes';
import { recoveryRoutes } from './features/recovery/routes';
import { registrationRoutes } from './features/registration/routes';
import { renewalRoutes } from './features/renewals/routes';
import { lockoutRoutes } from './features/sign-in-lockout/routes';
import { staffRoutes } from './features/staff/routes';
import { syncRoutes } from './features/sync/routes';
import { apiNotFound, errorHandler } from './middleware/errors';
import { jsonBody } from './middleware/bodyLimits';
import { provideContext } from './middleware/rateLimit';
import { requestLogger } from './logger';
import { noStore, sameOriginOnly, securityHeaders } from './middleware/security';

export interface AppOptions {
  /** Origins allowed to make cookie-authenticated state changes (PUBLIC_URL and the listening address). */
  allowedOrigins: () => string[];
}

/** Builds the Express app; it never listens (tests and startPortalServer do). */
export function createApp(ctx: ServerContext, options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  provideContext(app, ctx);
  // Only the configured proxy's address is trusted for X-Forwarded-For (config refuses "true").
  if (ctx.config.trustProxy) {
    app.set('trust proxy', ctx.config.trustProxy);
  }
  // Every request gets an id (echoed in X-Request-Id) and req.log; one line each when LOG_REQUESTS is on.
  app.use(requestLogger(ctx.logger, { trustProxyRequestId: Boolean(ctx.config.trustProxy), autoLogging: ctx.config.logRequests ?? false }));
  app.use(securityHeaders());
  app.use(healthRoutes(ctx));
  app.use('/api', noStore, jsonBody(), sameOriginOnly(options.allowedOrigins));
  app.use(clinicRoutes(ctx));
  app.use(staffRoutes(ctx));
  app.use(lockoutRoutes(ctx));
  app.use(passwordResetRoutes(ctx));
  app.use(letterRoutes(ctx));
  app.use(auditRoutes(ctx));
  app.use(syncRoutes(ctx));
  app.use(registrationRoutes(ctx));
  app.use(patientSessionRoutes(ctx));
  app.use(recoveryRoutes(ctx));
  app.use(accountRoutes(ctx));
  app.use(homeRoutes(ctx));
  app.use(recordRoutes(ctx));
  app.use(appointmentRoutes(ctx));
  app.use(renewalRoutes(ctx));
  app.use(messageRoutes(ctx));
  app.use('/api', apiNotFound);

  const webDir = resolve(ctx.config.webDir ?? 'out/portal-web');
  const index = join(webDir, 'index.html');
  app.use(express.static(webDir, { index: false, maxAge: '1h' }));
  app.get('/{*splat}', (_req, res) => {
    if (existsSync(index)) {
      res.set('Cache-Control', 'no-cache');
      res.sendFile(index);
    } else {
      res.status(503).type('text/plain').send('The patient portal web app is not built. Run: npm run build:portal-web');
    }
  });
  app.use(errorHandler());
  return app;
}
