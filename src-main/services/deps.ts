import type { Database } from '../../shared/node/db';
import type { OutboxStatusView, OutboxWriter } from '../replica/outbox';
import type { Session } from '../session/session';

/** What the replica services share. */
export interface ReplicaDeps {
  db: Database;
  outbox: OutboxWriter & OutboxStatusView;
  session: Session;
  /** Called after a committed local write: the UI reloads and the sync engine pushes soon. */
  onLocalWrite(tables: string[]): void;
  now(): Date;
}
