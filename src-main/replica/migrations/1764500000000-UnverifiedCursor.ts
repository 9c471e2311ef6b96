import type { MigrationInterface, QueryRunner } from 'typeorm';
import { UNVERIFIED_EPOCH } from '../syncState';

/**
 * A pull cursor stored before cursors carried the fingerprint of their change-log entry cannot
 * tell a server restored from an older backup (same epoch) from the one it came from, so it would
 * take poke pages and pulls from a restored server as if nothing had happened. Such a cursor is
 * replaced by one no server issued: the next pull is answered with a reset (the console first
 * pushes what it holds, keeps its waiting changes, and downloads the clinic's data afresh, once).
 */
export class UnverifiedCursor1764500000000 implements MigrationInterface {
  name = 'UnverifiedCursor1764500000000';

  async up(q: QueryRunner): Promise<void> {
    const rows = (await q.query(`SELECT key, value FROM sync_state WHERE key IN ('cursorSeq', 'cursorCheck')`)) as { key: string; value: string }[];
    const value = (key: string): unknown => {
      const row = rows.find((r) => r.key === key);
      return row ? JSON.parse(row.value) : null;
    };
    const seq = Number(value('cursorSeq') ?? 0);
    if (seq > 0 && !value('cursorCheck')) {
      await q.query(`UPDATE sync_state SET value = ? WHERE key = 'cursorEpoch'`, [JSON.stringify(UNVERIFIED_EPOCH)]);
    }
  }

  async down(): Promise<void> {
    // Nothing to undo: the next pull has already replaced the cursor.
  }
}
