import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../../../shared/node/migrations/tableHelpers';

/** The console replica's first schema: patient, invitation, outbox, sync_state. */
export class ReplicaInitial1764200000000 implements MigrationInterface {
  name = 'ReplicaInitial1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await createTable(
      q,
      'patient',
      [
        col.id(),
        col.text('givenName', 80),
        col.text('familyName', 80),
        col.text('dateOfBirth', 10),
        col.text('email', 254),
        col.text('phone', 32, true),
        col.int('version'),
        col.instant('updatedAt'),
        col.text('searchText', 500),
        { ...col.long('serverCopy'), isNullable: true },
      ],
      [{ columns: ['dateOfBirth'] }, { columns: ['familyName', 'givenName'] }],
    );
    await createTable(
      q,
      'invitation',
      [
        col.id(),
        col.ref('patientId'),
        col.text('status', 16),
        col.instant('statusChangedAt'),
        col.instant('sentAt', true),
        col.instant('expiresAt', true),
        { ...col.long('lastError'), isNullable: true },
        col.int('version'),
        { ...col.long('serverCopy'), isNullable: true },
      ],
      [{ columns: ['patientId'] }],
    );
    await createTable(
      q,
      'outbox',
      [
        col.int('seq', true),
        col.text('name', 40),
        col.int('argsVersion'),
        col.long('args'),
        col.ref('staffUserId'),
        col.instant('createdAt'),
        col.text('status', 16),
        col.ref('patientId', true),
        col.ref('invitationId', true),
        col.text('description', 300),
        { ...col.long('error'), isNullable: true },
        col.text('errorCode', 40, true),
        col.instant('resolvedAt', true),
      ],
      [{ columns: ['status'] }, { columns: ['patientId'] }],
    );
    await createTable(q, 'sync_state', [{ ...col.text('key', 64), isPrimary: true }, col.long('value')]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['sync_state', 'outbox', 'invitation', 'patient']) {
      await q.dropTable(table, true);
    }
  }
}
