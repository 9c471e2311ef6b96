import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_MESSAGE_REPLIERS, DEFAULT_STAFF_TOKEN_IDLE_DAYS, DEFAULT_STAFF_TOKEN_LIFETIME_DAYS } from '../../../domain/clinic';
import { col } from '../tableHelpers';

/**
 * Clinic settings from the second security round: how long a console's sign-in lasts (in all, and
 * unused) and who may answer patients. Existing clinics get the safe defaults.
 */
export class ServerClinicSecuritySettings1764720000000 implements MigrationInterface {
  name = 'ServerClinicSecuritySettings1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('clinic', [
      new TableColumn({ ...col.int('staffTokenLifetimeDays'), default: DEFAULT_STAFF_TOKEN_LIFETIME_DAYS }),
      new TableColumn({ ...col.int('staffTokenIdleDays'), default: DEFAULT_STAFF_TOKEN_IDLE_DAYS }),
      new TableColumn({ ...col.text('messageRepliers', 32), default: `'${DEFAULT_MESSAGE_REPLIERS}'` }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumns('clinic', ['messageRepliers', 'staffTokenIdleDays', 'staffTokenLifetimeDays']);
  }
}
