/**
 * Forgot password / forgot username: one row per request. A request that matched no account has a
 * row too (accountId null), so checking a code behaves the same whether or not an account exists.
 */
import { EntitySchema } from 'typeorm';

export interface AccountRecoveryRow {
  /** The recoveryId the browser holds; random, never derived from the account. */
  id: string;
  clinicId: string;
  /** Null when the details matched no account: such a recovery can never succeed. */
  accountId: string | null;
  kind: 'password' | 'username';
  /** HMAC-SHA-256 (server secret) of the recovery id and the 6-digit code; the code itself is not kept. */
  codeHash: string;
  /** Which of the account's two security questions this recovery asks (1 or 2), chosen at start. */
  questionNumber: number;
  /** Wrong codes and wrong answers together; at the limit the recovery is dead. */
  failedTries: number;
  expiresAt: string;
  /** Set when the recovery succeeded, or was replaced by a newer one: the code works only once. */
  usedAt: string | null;
  createdAt: string;
  ip: string | null;
}

export const AccountRecoveryEntity = new EntitySchema<AccountRecoveryRow>({
  name: 'AccountRecovery',
  tableName: 'account_recovery',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    clinicId: { type: 'varchar', length: 36 },
    accountId: { type: 'varchar', length: 36, nullable: true },
    kind: { type: 'varchar', length: 16 },
    codeHash: { type: 'varchar', length: 128 },
    questionNumber: { type: 'integer' },
    failedTries: { type: 'integer' },
    expiresAt: { type: 'varchar', length: 30 },
    usedAt: { type: 'varchar', length: 30, nullable: true },
    createdAt: { type: 'varchar', length: 30 },
    ip: { type: 'varchar', length: 64, nullable: true },
  },
});
