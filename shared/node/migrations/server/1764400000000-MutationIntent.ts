import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../tableHelpers';

/**
 * Sync protocol 4: the intent hash of every applied or refused mutation, keyed (clientId, seq).
 *
 * A table of its own rather than a column: client_mutation holds one row per console (its last
 * seq), so it could describe only the latest seq while a retry may name any earlier one, and
 * mutation_rejection has rows for refused seqs only. Its primary key also makes the database,
 * not one process, refuse a second intent under one seq when several instances share PostgreSQL.
 * Existing seqs get no row: their intent was never kept, so the server treats them as duplicates.
 */
export class ServerMutationIntent1764400000000 implements MigrationInterface {
  name = 'ServerMutationIntent1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await createTable(q, 'mutation_intent', [{ ...col.ref('clientId'), isPrimary: true }, col.int('seq', true), col.text('intentHash', 64), col.instant('createdAt')]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('mutation_intent', true);
  }
}
