import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../tableHelpers';

/** A patient's own email change waiting for the code sent to the new address (stored only as an HMAC). */
export class ServerEmailChange1764850000000 implements MigrationInterface {
  name = 'ServerEmailChange1764850000000';

  async up(q: QueryRunner): Promise<void> {
    await createTable(
      q,
      'email_change',
      [
        col.id(),
        col.ref('clinicId'),
        col.ref('accountId'),
        col.ref('patientId'),
        col.text('newEmail', 254),
        col.text('codeHash', 128),
        col.int('failedTries'),
        col.instant('expiresAt'),
        col.instant('usedAt', true),
        col.instant('createdAt'),
      ],
      [{ columns: ['accountId', 'createdAt'] }],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('email_change', true);
  }
}
