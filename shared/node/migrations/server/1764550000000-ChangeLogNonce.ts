import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** change_log.nonce: see ChangeLogRow.nonce. Entries already written keep their fingerprints (no nonce). */
export class ServerChangeLogNonce1764550000000 implements MigrationInterface {
  name = 'ServerChangeLogNonce1764550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('change_log', new TableColumn({ name: 'nonce', type: 'varchar', length: '16', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('change_log', 'nonce');
  }
}
