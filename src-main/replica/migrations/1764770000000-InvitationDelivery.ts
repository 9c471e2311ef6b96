import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col } from '../../../shared/node/migrations/tableHelpers';

/** invitation.deliveryState: the server's delivery state, so the desk never reads "Sent" for mail that only reached a folder. */
export class InvitationDelivery1764770000000 implements MigrationInterface {
  name = 'InvitationDelivery1764770000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('invitation', new TableColumn(col.text('deliveryState', 24, true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('invitation', 'deliveryState');
  }
}
