import { TableColumn, TableIndex } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../tableHelpers';

/**
 * Security hardening: rate limits and sign-in lockouts in the database (several instances agree),
 * staff lockout columns, front-desk password resets, and indexes for the admin's audit filters.
 */
export class ServerSecurityHardening1764350000000 implements MigrationInterface {
  name = 'ServerSecurityHardening1764350000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('staff_user', [
      new TableColumn({ ...col.int('failedSignIns'), default: 0 }),
      new TableColumn(col.instant('lockedUntil', true)),
      new TableColumn(col.instant('lastFailedSignInAt', true)),
    ]);
    await q.addColumn('patient_account', new TableColumn(col.instant('lastFailedSignInAt', true)));

    await createTable(
      q,
      'rate_limit',
      [{ ...col.text('bucket', 100), isPrimary: true }, { ...col.text('key', 128), isPrimary: true }, col.instant('windowStart'), col.int('count'), col.instant('expiresAt')],
      [{ columns: ['expiresAt'] }],
    );
    await createTable(
      q,
      'sign_in_throttle',
      [
        { ...col.text('scope', 32), isPrimary: true },
        { ...col.text('key', 128), isPrimary: true },
        col.int('failures'),
        col.instant('lockedUntil', true),
        col.instant('lastFailureAt', true),
      ],
      [{ columns: ['lastFailureAt'] }],
    );
    await createTable(
      q,
      'password_reset',
      [
        col.id(),
        col.ref('clinicId'),
        col.ref('accountId'),
        col.text('tokenHash', 128),
        col.instant('expiresAt'),
        col.ref('createdById'),
        col.instant('createdAt'),
        col.instant('usedAt', true),
      ],
      [{ columns: ['tokenHash'], unique: true }, { columns: ['accountId'] }],
    );
    await q.createIndex('audit_event', new TableIndex({ name: 'IDX_audit_event_actorId_at', columnNames: ['actorId', 'at'] }));
    await q.createIndex('audit_event', new TableIndex({ name: 'IDX_audit_event_action', columnNames: ['action'] }));

    // The audit log is append-only, also for a script or a mistaken query: the database refuses
    // UPDATE and DELETE on it (DROP TABLE in a down migration still works).
    if (q.connection.driver.options.type === 'postgres') {
      await q.query(`CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$`);
      await q.query('CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()');
    } else {
      await q.query(`CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END`);
      await q.query(`CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.driver.options.type === 'postgres') {
      await q.query('DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event');
      await q.query('DROP FUNCTION IF EXISTS audit_event_append_only()');
    } else {
      await q.query('DROP TRIGGER IF EXISTS audit_event_no_update');
      await q.query('DROP TRIGGER IF EXISTS audit_event_no_delete');
    }
    await q.dropIndex('audit_event', 'IDX_audit_event_action');
    await q.dropIndex('audit_event', 'IDX_audit_event_actorId_at');
    await q.dropTable('password_reset', true);
    await q.dropTable('sign_in_throttle', true);
    await q.dropTable('rate_limit', true);
    await q.dropColumn('patient_account', 'lastFailedSignInAt');
    await q.dropColumns('staff_user', ['lastFailedSignInAt', 'lockedUntil', 'failedSignIns']);
  }
}
