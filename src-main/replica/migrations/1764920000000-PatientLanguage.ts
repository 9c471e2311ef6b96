import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col } from '../../../shared/node/migrations/tableHelpers';
import { UNVERIFIED_EPOCH } from '../syncState';

/**
 * patient.language (issue 15): the preferred language the desk set or the patient chose, as the
 * sync feed carries it, so the desk sees it on the patient's page. Null: not chosen.
 *
 * Rows pulled before this migration come without it, and the server sends a row again only when it
 * changes: a patient who chose Spanish on the portal before this console was upgraded would read
 * "Not chosen" here. So a replica that has pulled before gets a cursor no server issued (as
 * UnverifiedCursor does): its next pull is a reset, which keeps waiting changes and downloads the
 * clinic's rows afresh, once.
 */
export class ReplicaPatientLanguage1764920000000 implements MigrationInterface {
  name = 'ReplicaPatientLanguage1764920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('patient', new TableColumn(col.text('language', 8, true)));
    const [cursor] = (await q.query(`SELECT value FROM sync_state WHERE key = 'cursorSeq'`)) as { value: string }[];
    if (Number(cursor ? JSON.parse(cursor.value) : 0) > 0) {
      await q.query(`UPDATE sync_state SET value = ? WHERE key = 'cursorEpoch'`, [JSON.stringify(UNVERIFIED_EPOCH)]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('patient', 'language');
  }
}
