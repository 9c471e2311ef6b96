import type { Database } from '../../shared/node/db';
import type { PortalConfig } from './config';
import type { ChangeHub } from './features/sync/changeHub';
import type { MailDispatcher } from './features/mail/dispatcher';
import type { Logger } from './logger';

/** What every feature's service needs; built once in startPortalServer (or a test). */
export interface ServerContext {
  db: Database;
  config: PortalConfig;
  secret: string;
  publicUrl: string;
  now: () => Date;
  changes: ChangeHub;
  mail: MailDispatcher;
  /**
   * The server's structured log (JSON lines on stdout in production; see logger.ts). Never pass it
   * health data: no arguments, bodies, query strings or SQL parameters.
   */
  logger: Logger;
  /** True once shutdown has begun: /readyz answers 503 so a load balancer stops sending requests. */
  draining: boolean;
}

/** Called after a transaction that wrote synced rows or mail commits. */
export function afterCommit(ctx: ServerContext): void {
  ctx.changes.poke();
  ctx.mail.kick();
}
