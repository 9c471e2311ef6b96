import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../tableHelpers';

/**
 * What several server instances on one database need to agree on without a process lock:
 * - mail_outbox.claimToken / claimedUntil: a dispatcher claims due mails (with a lease) before
 *   sending them, so one mail goes out once whatever the number of instances;
 * - job_run: each background job (invitation expiry, security-row sweep) runs once per tick
 *   across instances — the instance whose conditional update of the job's row succeeds runs it.
 */
export class ServerSeveralInstances1764700000000 implements MigrationInterface {
  name = 'ServerSeveralInstances1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('mail_outbox', [new TableColumn(col.text('claimToken', 36, true)), new TableColumn(col.instant('claimedUntil', true))]);
    await createTable(q, 'job_run', [{ ...col.text('name', 40), isPrimary: true }, col.instant('lastRunAt')]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('job_run', true);
    await q.dropColumn('mail_outbox', 'claimedUntil');
    await q.dropColumn('mail_outbox', 'claimToken');
  }
}
