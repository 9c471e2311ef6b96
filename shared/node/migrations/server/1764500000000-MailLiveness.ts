import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col } from '../tableHelpers';

/**
 * The mail outbox names what each mail depends on (the patient, the password reset or recovery
 * whose link or code it carries), so the dispatcher can check right before sending that it still
 * holds, and cancel it otherwise.
 */
export class ServerMailLiveness1764500000000 implements MigrationInterface {
  name = 'ServerMailLiveness1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('mail_outbox', [new TableColumn(col.ref('patientId', true)), new TableColumn(col.ref('passwordResetId', true)), new TableColumn(col.ref('recoveryId', true))]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('mail_outbox', 'recoveryId');
    await q.dropColumn('mail_outbox', 'passwordResetId');
    await q.dropColumn('mail_outbox', 'patientId');
  }
}
