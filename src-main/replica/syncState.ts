import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { ClinicView } from '../../shared/domain/clinic';
import type { StaffUserView } from '../../shared/domain/staff';
import type { SyncCursor } from '../../shared/sync/protocol';
import { SyncStateEntity } from './entities';

/** The keys of the sync_state table and the type each value holds (stored as JSON). */
export interface SyncStateValues {
  /** Names this replica to the server; made once. */
  clientId: string;
  cursorEpoch: string;
  cursorSeq: number;
  /** The server's fingerprint of the change at cursorSeq (see SyncCursor.check). */
  cursorCheck: string | null;
  lastSyncedAt: string;
  serverUrl: string;
  /** The SecretStore key under which the device token is kept (never the token itself). */
  deviceTokenRef: string;
  /** The server's id for this console's current sign-in (marks "this console" in the admin's device list). */
  deviceId: string;
  staff: StaffUserView;
  clinic: ClinicView;
  /** Highest outbox seq ever handed out, so seqs stay contiguous even after old entries are pruned. */
  lastOutboxSeq: number;
  /**
   * Highest seq the server has said it holds for this console. A later push answered with less
   * means the server was restored from an older backup: kept entries above it are sent again.
   */
  ackedSeq: { clientId: string; seq: number };
  /** Staff notice after a restore: changes the console could not send again (none kept any longer). */
  resendGap: { count: number; upTo: string; at: string };
  /**
   * Staff notice: the server held other changes under this replica's numbers (the replica was
   * restored from an old copy, or copied to another computer), so it took a new client id, sent
   * its `waiting` changes again under it and pulled everything afresh.
   */
  clientIdReplaced: { at: string; waiting: number };
  /** The console is locked (idle or "Lock now"): no patient data until a staff member signs in again. */
  locked: boolean;
  /** Why the server ended this console's sign-in (expired, revoked), shown on the sign-in screen until someone signs in. */
  signInReason: string;
  /** Lock after this many seconds without keyboard or mouse activity (this computer's setting). */
  idleLockSeconds: number;
  /**
   * lower-cased username → argon2id verifier of the password from that person's last online sign-in
   * here, so they alone can unlock the console while the server is unreachable.
   */
  unlockVerifiers: Record<string, { staffUserId: string; verifier: string }>;
  /**
   * "<server url> <lower-cased username>" → that server's "trust this computer" token for that person on this
   * console (30 days): their sign-ins here skip the second factor while the server honours it.
   * Alone it signs nobody in (the password is still checked).
   */
  trustTokens: Record<string, { staffUserId: string; token: string }>;
  /** Device tokens of earlier staff members on this console, kept only until their waiting changes are sent. */
  heldTokens: HeldToken[];
}

/** A previous person's device token (by SecretStore key), so their changes are pushed under their own name. */
export interface HeldToken {
  staffUserId: string;
  displayName: string;
  ref: string;
}
export type SyncStateKey = keyof SyncStateValues;

export async function getState<K extends SyncStateKey>(m: EntityManager, key: K): Promise<SyncStateValues[K] | null> {
  const row = await m.findOneBy(SyncStateEntity, { key });
  return row ? (JSON.parse(row.value) as SyncStateValues[K]) : null;
}

export async function setState<K extends SyncStateKey>(m: EntityManager, key: K, value: SyncStateValues[K]): Promise<void> {
  await m.upsert(SyncStateEntity, { key, value: JSON.stringify(value) }, ['key']);
}

export async function deleteState(m: EntityManager, ...keys: SyncStateKey[]): Promise<void> {
  for (const key of keys) {
    await m.delete(SyncStateEntity, { key });
  }
}

/** The replica's client id, made on first use (call inside a write). */
export async function ensureClientId(m: EntityManager): Promise<string> {
  const existing = await getState(m, 'clientId');
  if (existing) {
    return existing;
  }
  const clientId = randomUUID();
  await setState(m, 'clientId', clientId);
  return clientId;
}

/**
 * This replica's client id is shared or rewound (see transfer.ts): a new id, nothing acknowledged
 * under it yet, and a cursor no server issued, so the next pull starts afresh (reset) and drops
 * rows no waiting change shows. Call inside a write; returns the new id.
 */
export async function replaceClientId(m: EntityManager, notice: SyncStateValues['clientIdReplaced']): Promise<string> {
  const clientId = randomUUID();
  await setState(m, 'clientId', clientId);
  await setState(m, 'ackedSeq', { clientId, seq: 0 });
  await distrustCursor(m);
  await setState(m, 'clientIdReplaced', notice);
  return clientId;
}

/** The replica's data may differ from the server's in ways its cursor cannot show: the next pull resets. */
export async function distrustCursor(m: EntityManager): Promise<void> {
  await setCursor(m, { epoch: UNVERIFIED_EPOCH, seq: 0 });
}

/** A cursor epoch no server has: its next pull is answered with a reset (and no poke page fits it). */
export const UNVERIFIED_EPOCH = 'unverified';

const CURSOR_KEYS = ['cursorEpoch', 'cursorSeq', 'cursorCheck'] as const;

/** The pull cursor, read in one statement (it is read on every poke and page). */
export async function getCursor(m: EntityManager): Promise<SyncCursor> {
  const rows = await m.findBy(SyncStateEntity, { key: In([...CURSOR_KEYS]) });
  const value = (key: (typeof CURSOR_KEYS)[number]): unknown => {
    const row = rows.find((r) => r.key === key);
    return row ? JSON.parse(row.value) : null;
  };
  const seq = (value('cursorSeq') as number | null) ?? 0;
  const check = value('cursorCheck') as string | null;
  return { epoch: (value('cursorEpoch') as string | null) ?? '', seq, ...(check && seq > 0 ? { check } : {}) };
}

/** Stores the pull cursor in one statement (an absent check is stored as null). */
export async function setCursor(m: EntityManager, cursor: SyncCursor): Promise<void> {
  const values: SyncStateValues['cursorEpoch' | 'cursorSeq' | 'cursorCheck'][] = [cursor.epoch, cursor.seq, cursor.check ?? null];
  await m.upsert(
    SyncStateEntity,
    CURSOR_KEYS.map((key, i) => ({ key, value: JSON.stringify(values[i]) })),
    ['key'],
  );
}
