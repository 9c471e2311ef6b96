import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../../../shared/node/migrations/tableHelpers';

/**
 * Protocol v2's tables (staff directory, appointments, renewals, threads, messages, record
 * entries) in one generic replica_row table, and the outbox's list of the rows each change shows.
 * Clears the pull cursor, so an upgraded console pulls the new tables' existing rows.
 */
export class ReplicaRows1764300000000 implements MigrationInterface {
  name = 'ReplicaRows1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await createTable(
      q,
      'replica_row',
      [
        { ...col.text('tableName', 20), isPrimary: true },
        col.id(),
        col.ref('patientId', true),
        col.ref('parentId', true),
        col.long('data'),
        col.int('version'),
        col.instant('updatedAt'),
        { ...col.long('serverCopy'), isNullable: true },
        { ...col.bool('deletedLocally'), default: false },
      ],
      [{ columns: ['tableName', 'patientId'] }, { columns: ['tableName', 'parentId'] }],
    );
    await q.addColumn('outbox', new TableColumn({ name: 'rowKeys', type: 'text', isNullable: true }));
    // The new tables start empty while the cursor is past their rows: the next pull starts from the beginning.
    await q.query(`DELETE FROM sync_state WHERE key IN ('cursorEpoch', 'cursorSeq', 'cursorCheck')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('outbox', 'rowKeys');
    await q.dropTable('replica_row', true);
  }
}
