import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../tableHelpers';

/** Forgot password / forgot username: emailed one-time codes, stored only as HMACs. */
export class ServerAccountRecovery1764330000000 implements MigrationInterface {
  name = 'ServerAccountRecovery1764330000000';

  async up(q: QueryRunner): Promise<void> {
    await createTable(
      q,
      'account_recovery',
      [
        col.id(),
        col.ref('clinicId'),
        col.ref('accountId', true),
        col.text('kind', 16),
        col.text('codeHash', 128),
        col.int('questionNumber'),
        col.int('failedTries'),
        col.instant('expiresAt'),
        col.instant('usedAt', true),
        col.instant('createdAt'),
        col.text('ip', 64, true),
      ],
      [{ columns: ['accountId', 'createdAt'] }, { columns: ['expiresAt'] }],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('account_recovery', true);
  }
}
