import { randomUUID } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../tableHelpers';

/** The portal server's first schema: clinic, staff, patients, invitations, accounts, mail, audit, sync. */
export class ServerInitial1764100000000 implements MigrationInterface {
  name = 'ServerInitial1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await createTable(q, 'clinic', [
      col.id(),
      col.text('name', 120),
      col.text('phone', 32),
      col.text('address', 200),
      col.text('timeZone', 64),
      col.text('passwordPolicy', 16),
      col.int('invitationLifetimeDays'),
      col.instant('createdAt'),
      col.instant('updatedAt'),
    ]);
    await createTable(
      q,
      'staff_user',
      [
        col.id(),
        col.ref('clinicId'),
        col.text('username', 32),
        col.text('usernameNormalized', 32),
        col.text('displayName', 80),
        col.text('role', 16),
        col.text('passwordHash', 128),
        col.bool('active'),
        col.instant('createdAt'),
        col.instant('updatedAt'),
      ],
      [{ columns: ['usernameNormalized'], unique: true }],
    );
    await createTable(
      q,
      'device',
      [
        col.id(),
        col.ref('clinicId'),
        col.ref('staffUserId'),
        col.text('name', 80),
        col.text('tokenHash', 128),
        col.instant('createdAt'),
        col.instant('lastSeenAt'),
        col.instant('revokedAt', true),
      ],
      [{ columns: ['tokenHash'], unique: true }],
    );
    await createTable(
      q,
      'patient',
      [
        col.id(),
        col.ref('clinicId'),
        col.text('givenName', 80),
        col.text('familyName', 80),
        col.text('dateOfBirth', 10),
        col.text('email', 254),
        col.text('phone', 32, true),
        col.int('version'),
        col.instant('createdAt'),
        col.instant('updatedAt'),
        col.instant('deletedAt', true),
      ],
      [{ columns: ['email'] }, { columns: ['familyName', 'givenName'] }],
    );
    await createTable(
      q,
      'invitation',
      [
        col.id(),
        col.ref('clinicId'),
        col.ref('patientId'),
        col.text('status', 16),
        col.text('tokenHash', 128),
        col.text('registrationIdHash', 128),
        col.instant('expiresAt'),
        col.instant('sentAt', true),
        col.instant('statusChangedAt'),
        col.int('failedTries'),
        col.text('lastError', 200, true),
        col.int('version'),
        col.instant('createdAt'),
        col.instant('updatedAt'),
        col.instant('deletedAt', true),
      ],
      [{ columns: ['tokenHash'], unique: true }, { columns: ['patientId'] }, { columns: ['status'] }],
    );
    await createTable(
      q,
      'patient_account',
      [
        col.id(),
        col.ref('clinicId'),
        col.ref('patientId'),
        col.text('username', 32),
        col.text('usernameNormalized', 32),
        col.text('passwordHash', 128),
        col.text('question1', 40),
        col.text('answer1Hash', 128),
        col.text('question2', 40),
        col.text('answer2Hash', 128),
        col.int('failedSignIns'),
        col.instant('lockedUntil', true),
        col.instant('createdAt'),
        col.instant('updatedAt'),
      ],
      [
        { columns: ['patientId'], unique: true },
        { columns: ['usernameNormalized'], unique: true },
      ],
    );
    await createTable(
      q,
      'patient_session',
      [
        { ...col.text('idHash', 128), isPrimary: true },
        col.ref('accountId'),
        col.text('csrfToken', 64),
        col.instant('createdAt'),
        col.instant('lastSeenAt'),
        col.instant('expiresAt'),
      ],
      [{ columns: ['accountId'] }],
    );
    await createTable(
      q,
      'mail_outbox',
      [
        col.id(),
        col.ref('clinicId'),
        col.text('recipient', 254),
        col.text('template', 40),
        col.long('payload'),
        col.text('status', 16),
        col.int('tries'),
        col.instant('nextTryAt'),
        col.text('lastError', 200, true),
        col.ref('invitationId', true),
        col.instant('createdAt'),
        col.instant('sentAt', true),
      ],
      [{ columns: ['status', 'nextTryAt'] }],
    );
    await createTable(
      q,
      'audit_event',
      [
        col.id(),
        col.ref('clinicId'),
        col.text('actorKind', 16),
        col.ref('actorId', true),
        col.text('action', 64),
        col.text('entity', 32, true),
        col.ref('entityId', true),
        col.instant('at'),
        col.text('ip', 64, true),
        col.text('detail', 500, true),
      ],
      [{ columns: ['at'] }, { columns: ['entityId'] }],
    );
    await createTable(q, 'change_log', [
      col.int('seq', true),
      col.text('tableName', 32),
      col.ref('rowId'),
      col.int('version'),
      col.text('op', 8),
    ], [{ columns: ['tableName', 'rowId'] }]);
    await createTable(q, 'sync_counter', [col.int('id', true), col.text('epoch', 36), col.int('seq')]);
    // The epoch names this database, so a console notices when it talks to another one.
    await q.manager.createQueryBuilder().insert().into('sync_counter').values({ id: 1, epoch: randomUUID(), seq: 0 }).execute();
    await createTable(q, 'client_mutation', [
      { ...col.ref('clientId'), isPrimary: true },
      col.ref('deviceId'),
      col.int('lastSeq'),
      col.instant('updatedAt'),
    ]);
    await createTable(q, 'mutation_rejection', [
      { ...col.ref('clientId'), isPrimary: true },
      col.int('seq', true),
      col.text('code', 40),
      col.text('message', 300),
      col.instant('createdAt'),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'mutation_rejection',
      'client_mutation',
      'sync_counter',
      'change_log',
      'audit_event',
      'mail_outbox',
      'patient_session',
      'patient_account',
      'invitation',
      'patient',
      'device',
      'staff_user',
      'clinic',
    ]) {
      await q.dropTable(table, true);
    }
  }
}
