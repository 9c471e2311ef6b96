import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col } from '../../../shared/node/migrations/tableHelpers';

/**
 * patient.language (issue 15): the preferred language the desk set or the patient chose, as the
 * sync feed carries it, so the desk sees it on the patient's page. Null: not chosen. Rows pulled
 * before this migration stay null until the server sends them again (any change to the patient).
 */
export class ReplicaPatientLanguage1764920000000 implements MigrationInterface {
  name = 'ReplicaPatientLanguage1764920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('patient', new TableColumn(col.text('language', 8, true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('patient', 'language');
  }
}
