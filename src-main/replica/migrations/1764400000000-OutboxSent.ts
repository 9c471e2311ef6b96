import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col } from '../../../shared/node/migrations/tableHelpers';

/**
 * outbox.sentAt: when a push first carried the entry (see Outbox). Entries waiting at the upgrade
 * may have reached the server already (an earlier console kept that only in memory): they count
 * as sent, so no later edit is folded into them. outbox.enteredFor: see OutboxRow.
 */
export class OutboxSent1764400000000 implements MigrationInterface {
  name = 'OutboxSent1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('outbox', new TableColumn(col.instant('sentAt', true)));
    await q.addColumn('outbox', new TableColumn(col.ref('enteredFor', true)));
    await q.query(`UPDATE outbox SET sentAt = createdAt WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('outbox', 'enteredFor');
    await q.dropColumn('outbox', 'sentAt');
  }
}
