import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../tableHelpers';

/**
 * Issue 13: a second factor (TOTP). The clinic's policy (existing clinics keep "off", so nobody is
 * locked out by an upgrade; new clinics are set up with "admins"), each person's sealed secret,
 * their hashed recovery codes, and the consoles a staff member chose to trust for 30 days.
 */
export class ServerSecondFactor1764810000000 implements MigrationInterface {
  name = 'ServerSecondFactor1764810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('clinic', new TableColumn({ ...col.text('secondFactorPolicy', 24), default: "'off'" }));
    await q.addColumn('patient_session', new TableColumn(col.instant('secondFactorAt', true)));
    await createTable(
      q,
      'second_factor',
      [
        col.id(),
        col.ref('clinicId'),
        col.text('ownerKind', 16),
        col.ref('ownerId'),
        col.text('secretSealed', 200),
        col.instant('confirmedAt', true),
        col.int('lastUsedStep'),
        col.instant('createdAt'),
      ],
      [{ columns: ['ownerKind', 'ownerId'], unique: true }],
    );
    await createTable(
      q,
      'second_factor_recovery_code',
      [col.id(), col.ref('factorId'), col.text('codeHash', 128), col.instant('usedAt', true)],
      [{ columns: ['codeHash'], unique: true }, { columns: ['factorId'] }],
    );
    await createTable(
      q,
      'trusted_computer',
      [
        col.id(),
        col.ref('clinicId'),
        col.ref('staffUserId'),
        col.text('name', 80),
        col.text('tokenHash', 128),
        col.instant('createdAt'),
        col.instant('expiresAt'),
        col.instant('revokedAt', true),
      ],
      [{ columns: ['tokenHash'], unique: true }, { columns: ['staffUserId'] }],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('trusted_computer');
    await q.dropTable('second_factor_recovery_code');
    await q.dropTable('second_factor');
    await q.dropColumn('patient_session', 'secondFactorAt');
    await q.dropColumn('clinic', 'secondFactorPolicy');
  }
}
