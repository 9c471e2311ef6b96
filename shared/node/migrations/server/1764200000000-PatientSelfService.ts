import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner, TableColumnOptions } from 'typeorm';
import { DEFAULT_CANCEL_CUTOFF_HOURS } from '../../../domain/appointment';
import { col, createTable } from '../tableHelpers';

const synced = (): TableColumnOptions[] => [col.id(), col.ref('clinicId'), col.int('version'), col.instant('createdAt'), col.instant('updatedAt'), col.instant('deletedAt', true)];

/**
 * Patient self-service: appointments, renewal requests, messaging and the medical record; the
 * clinic's cancellation cutoff; staff synced as a directory; which console made each change.
 */
export class ServerPatientSelfService1764200000000 implements MigrationInterface {
  name = 'ServerPatientSelfService1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('clinic', new TableColumn({ ...col.int('appointmentCancelHours'), default: DEFAULT_CANCEL_CUTOFF_HOURS }));
    await q.addColumns('staff_user', [new TableColumn({ ...col.int('version'), default: 1 }), new TableColumn(col.instant('deletedAt', true))]);
    await q.addColumn('change_log', new TableColumn(col.ref('clientId', true)));

    await createTable(
      q,
      'appointment',
      [
        ...synced(),
        col.ref('patientId'),
        col.ref('physicianId', true),
        col.ref('preferredPhysicianId', true),
        col.text('reason', 200),
        col.text('preferredTimes', 200),
        col.instant('startAt', true),
        col.instant('endAt', true),
        col.text('status', 16),
        col.text('staffNote', 300, true),
        col.text('cancelledBy', 8, true),
        col.instant('requestedAt'),
      ],
      [{ columns: ['patientId'] }, { columns: ['physicianId', 'startAt'] }, { columns: ['status'] }],
    );
    await createTable(
      q,
      'renewal_request',
      [
        ...synced(),
        col.ref('patientId'),
        col.ref('medicationId'),
        col.text('medicationName', 120),
        col.text('pharmacy', 120),
        col.text('note', 500),
        col.text('status', 16),
        col.text('decisionNote', 300, true),
        col.ref('decidedById', true),
        col.instant('decidedAt', true),
        col.instant('requestedAt'),
      ],
      [{ columns: ['patientId'] }, { columns: ['status'] }],
    );
    await createTable(
      q,
      'message_thread',
      [
        ...synced(),
        col.ref('patientId'),
        col.text('subject', 120),
        col.ref('assignedStaffId', true),
        col.text('status', 16),
        col.instant('lastMessageAt'),
        col.int('unreadForStaff'),
        col.int('unreadForPatient'),
      ],
      [{ columns: ['patientId'] }],
    );
    await createTable(
      q,
      'message',
      [
        ...synced(),
        col.ref('threadId'),
        col.ref('patientId'),
        col.text('authorKind', 8),
        col.ref('authorStaffId', true),
        col.text('authorName', 170),
        col.long('body'),
        col.instant('sentAt'),
        col.instant('readAt', true),
      ],
      [{ columns: ['threadId'] }],
    );
    await createTable(
      q,
      'record_entry',
      [...synced(), col.ref('patientId'), col.text('kind', 16), col.long('fields'), col.ref('updatedById', true)],
      [{ columns: ['patientId', 'kind'] }],
    );

    // Staff who exist already get a place in the change log, so every console learns the directory.
    const e = (name: string): string => q.connection.driver.escape(name);
    const staff: { id: string }[] = await q.manager.createQueryBuilder().select(e('id'), 'id').from('staff_user', 's').orderBy(e('createdAt'), 'ASC').getRawMany();
    for (const { id } of staff) {
      await q.manager.createQueryBuilder().update('sync_counter').set({ seq: () => 'seq + 1' }).where('id = 1').execute();
      const counter: { seq: number } | undefined = await q.manager.createQueryBuilder().select('seq', 'seq').from('sync_counter', 'c').where('id = 1').getRawOne();
      await q.manager
        .createQueryBuilder()
        .insert()
        // The columns this migration knows: later ones (change_log.nonce) do not exist yet here.
        .into('change_log', ['seq', 'tableName', 'rowId', 'version', 'op', 'clientId'])
        .values({ seq: Number(counter?.seq), tableName: 'staff', rowId: id, version: 1, op: 'upsert', clientId: null })
        .execute();
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.manager.createQueryBuilder().delete().from('change_log').where(`${q.connection.driver.escape('tableName')} = 'staff'`).execute();
    for (const table of ['record_entry', 'message', 'message_thread', 'renewal_request', 'appointment']) {
      await q.dropTable(table, true);
    }
    await q.dropColumn('change_log', 'clientId');
    await q.dropColumns('staff_user', ['version', 'deletedAt']);
    await q.dropColumn('clinic', 'appointmentCancelHours');
  }
}
