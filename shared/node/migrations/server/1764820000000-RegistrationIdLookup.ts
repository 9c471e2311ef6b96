import { TableIndex } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Registration without the emailed link: Date of Birth plus Registration ID find the invitation,
 * so the ID's keyed hash is looked up. Not unique: two clinics (or a revoked and a new invitation)
 * may in principle share one, and the service judges what it finds.
 */
export class ServerRegistrationIdLookup1764820000000 implements MigrationInterface {
  name = 'ServerRegistrationIdLookup1764820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('invitation', new TableIndex({ name: 'IDX_invitation_registrationIdHash', columnNames: ['registrationIdHash'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('invitation', 'IDX_invitation_registrationIdHash');
  }
}
