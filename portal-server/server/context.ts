import type { Database } from '../../shared/node/db';
import type { PortalConfig } from './config';
import type { ChangeHub } from './features/sync/changeHub';
import type { MailDispatcher } from './features/mail/dispatcher';

/** What every feature's service needs; built once in startPortalServer (or a test). */
export interface ServerContext {
  db: Database;
  config: PortalConfig;
  secret: string;
  publicUrl: string;
  now: () => Date;
  changes: ChangeHub;
  mail: MailDispatcher;
  /** The server's log (stdout in production). Never pass it health data: no arguments, bodies or query strings. */
  log: (line: string) => void;
}

/** Called after a transaction that wrote synced rows or mail commits. */
export function afterCommit(ctx: ServerContext): void {
  ctx.changes.poke();
  ctx.mail.kick();
}
