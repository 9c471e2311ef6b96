import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../tableHelpers';

/**
 * client_binding: which device tokens may push under which client id (see features/sync/binding.ts).
 *
 * Each client id that has pushed before is bound here to the device that pushed it last (the only
 * one client_mutation remembers), so that token is held to its console from the upgrade on. Other
 * tokens signed in before the upgrade are bound at their first push, and keep working without a
 * new sign-in.
 */
export class ServerClientBinding1764600000000 implements MigrationInterface {
  name = 'ServerClientBinding1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await createTable(
      q,
      'client_binding',
      [{ ...col.ref('clientId'), isPrimary: true }, { ...col.ref('deviceId'), isPrimary: true }, col.ref('clinicId'), col.text('boundBy', 12), col.instant('createdAt')],
      [{ columns: ['deviceId'] }],
    );
    await q.query(
      `INSERT INTO "client_binding" ("clientId", "deviceId", "clinicId", "boundBy", "createdAt")
       SELECT cm."clientId", cm."deviceId", d."clinicId", 'upgrade', cm."updatedAt"
       FROM "client_mutation" cm JOIN "device" d ON d."id" = cm."deviceId"`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('client_binding', true);
  }
}
