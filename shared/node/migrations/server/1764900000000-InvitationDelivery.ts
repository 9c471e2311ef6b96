import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col } from '../tableHelpers';

/**
 * Issue 16: how an invitation left the clinic, beside its status (see INVITATION_DELIVERY_STATES).
 * Invitations made before keep null: whether their mail reached a mail server or only the mail
 * folder was never recorded, and the desk is not told a guess.
 */
export class ServerInvitationDelivery1764900000000 implements MigrationInterface {
  name = 'ServerInvitationDelivery1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('invitation', new TableColumn(col.text('deliveryState', 24, true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('invitation', 'deliveryState');
  }
}
