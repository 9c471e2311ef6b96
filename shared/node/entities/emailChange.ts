/**
 * A patient changing their own email address on Account: the new address gets a one-time code,
 * and the change happens only when the code comes back. The code itself is never kept.
 */
import { EntitySchema } from 'typeorm';

export interface EmailChangeRow {
  id: string;
  clinicId: string;
  accountId: string;
  patientId: string;
  /** The address the code was sent to; it becomes the patient's address once confirmed. */
  newEmail: string;
  /** HMAC-SHA-256 (server secret) of this row's id and the 6-digit code. */
  codeHash: string;
  /** Wrong codes; at the limit the change is dead and a new code must be asked for. */
  failedTries: number;
  expiresAt: string;
  /** Set when confirmed, or replaced by a newer request: a code works once. */
  usedAt: string | null;
  createdAt: string;
}

export const EmailChangeEntity = new EntitySchema<EmailChangeRow>({
  name: 'EmailChange',
  tableName: 'email_change',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    clinicId: { type: 'varchar', length: 36 },
    accountId: { type: 'varchar', length: 36 },
    patientId: { type: 'varchar', length: 36 },
    newEmail: { type: 'varchar', length: 254 },
    codeHash: { type: 'varchar', length: 128 },
    failedTries: { type: 'integer' },
    expiresAt: { type: 'varchar', length: 30 },
    usedAt: { type: 'varchar', length: 30, nullable: true },
    createdAt: { type: 'varchar', length: 30 },
  },
});
