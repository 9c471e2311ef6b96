import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col } from '../tableHelpers';

/**
 * The patient's language for the portal, emails and letters (issue 15): 'en', 'es' or null (not
 * chosen). On the patient row, not the account: the desk sets it at pre-registration, before
 * there is an account, and it reaches the consoles with the rest of the patient row.
 */
export class ServerPatientLanguage1764910000000 implements MigrationInterface {
  name = 'ServerPatientLanguage1764910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('patient', new TableColumn(col.text('language', 8, true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('patient', 'language');
  }
}
