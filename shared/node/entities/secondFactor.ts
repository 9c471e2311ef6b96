/**
 * Second factor (issue 13): time-based one-time codes (RFC 6238) for staff and, if they choose,
 * patients. The shared secret is sealed (AES-256-GCM, key from SECRET); recovery codes and
 * trusted-computer tokens are kept only as HMACs.
 */
import { EntitySchema } from 'typeorm';

export type SecondFactorOwner = 'staff' | 'patient';

export interface SecondFactorRow {
  id: string;
  clinicId: string;
  ownerKind: SecondFactorOwner;
  /** A staff_user id or a patient_account id. */
  ownerId: string;
  /** The TOTP secret, sealed: `v1.<nonce>.<tag>.<ciphertext>` bound to this row's id. */
  secretSealed: string;
  /** Null while the person has not yet confirmed it with a first code. */
  confirmedAt: string | null;
  /** The highest 30-second step accepted: a code is accepted once, and never an older one. */
  lastUsedStep: number;
  createdAt: string;
}
export const SecondFactorEntity = new EntitySchema<SecondFactorRow>({
  name: 'SecondFactor',
  tableName: 'second_factor',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    clinicId: { type: 'varchar', length: 36 },
    ownerKind: { type: 'varchar', length: 16 },
    ownerId: { type: 'varchar', length: 36 },
    secretSealed: { type: 'varchar', length: 200 },
    confirmedAt: { type: 'varchar', length: 30, nullable: true },
    lastUsedStep: { type: 'integer' },
    createdAt: { type: 'varchar', length: 30 },
  },
});

/** One single-use recovery code of a confirmed second factor. */
export interface RecoveryCodeRow {
  id: string;
  factorId: string;
  codeHash: string;
  usedAt: string | null;
}
export const SecondFactorRecoveryCodeEntity = new EntitySchema<RecoveryCodeRow>({
  name: 'SecondFactorRecoveryCode',
  tableName: 'second_factor_recovery_code',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    factorId: { type: 'varchar', length: 36 },
    codeHash: { type: 'varchar', length: 128, unique: true },
    usedAt: { type: 'varchar', length: 30, nullable: true },
  },
});

/** "Trust this computer for 30 days": one console and one staff member, revocable by an admin. */
export interface TrustedComputerRow {
  id: string;
  clinicId: string;
  staffUserId: string;
  /** The console's name as its device rows show it. */
  name: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}
export const TrustedComputerEntity = new EntitySchema<TrustedComputerRow>({
  name: 'TrustedComputer',
  tableName: 'trusted_computer',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    clinicId: { type: 'varchar', length: 36 },
    staffUserId: { type: 'varchar', length: 36 },
    name: { type: 'varchar', length: 80 },
    tokenHash: { type: 'varchar', length: 128, unique: true },
    createdAt: { type: 'varchar', length: 30 },
    expiresAt: { type: 'varchar', length: 30 },
    revokedAt: { type: 'varchar', length: 30, nullable: true },
  },
});

export const SECOND_FACTOR_ENTITIES = [SecondFactorEntity, SecondFactorRecoveryCodeEntity, TrustedComputerEntity];
