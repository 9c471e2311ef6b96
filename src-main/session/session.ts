import { randomUUID } from 'node:crypto';
import { DomainError } from '../../shared/api/errors';
import type { StaffSignInResponse } from '../../shared/api/types';
import type { ClinicView } from '../../shared/domain/clinic';
import type { StaffUserView } from '../../shared/domain/staff';
import type { Database } from '../../shared/node/db';
import { LocalInvitationEntity, LocalPatientEntity, ReplicaRowEntity } from '../replica/entities';
import { outbox } from '../replica/outbox';
import { deleteState, ensureClientId, getState, setState } from '../replica/syncState';
import type { SecretStore } from '../platform/secretStore';
import { handOver, holdIfPending, takeHeld, takeSettled } from './heldTokens';

export interface SignedIn {
  staff: StaffUserView;
  clinic: ClinicView;
}

export interface SessionState {
  staff: StaffUserView | null;
  clinic: ClinicView | null;
  serverUrl: string | null;
  signedIn: boolean;
}

/**
 * Who is signed in on this console. The device token lives in the SecretStore; sync_state only
 * names the key it is kept under. The staff member and clinic are kept so the console works offline.
 */
export const LOCKED_MESSAGE = 'The console is locked. Sign in to continue.';

export class Session {
  private cachedToken: string | null | undefined;
  private cachedLocked: boolean | undefined;

  constructor(
    private readonly db: Database,
    private readonly secrets: SecretStore,
  ) {}

  async token(): Promise<string | null> {
    if (this.cachedToken === undefined) {
      const ref = await this.db.read((m) => getState(m, 'deviceTokenRef'));
      // A token that can no longer be decrypted (the OS key store changed) means: sign in again.
      this.cachedToken = ref ? await this.secrets.get(ref).catch(() => null) : null;
    }
    return this.cachedToken;
  }

  async state(): Promise<SessionState> {
    const token = await this.token();
    const { staff, clinic, serverUrl } = await this.db.read(async (m) => ({
      staff: await getState(m, 'staff'),
      clinic: await getState(m, 'clinic'),
      serverUrl: await getState(m, 'serverUrl'),
    }));
    return { staff: token ? staff : null, clinic, serverUrl, signedIn: token !== null && staff !== null };
  }

  /** The signed-in staff member, refused while the console is locked (no patient data then). */
  async requireSignedIn(): Promise<SignedIn> {
    const signedIn = await this.requireSession();
    if (await this.isLocked()) {
      throw new DomainError('not_signed_in', LOCKED_MESSAGE);
    }
    return signedIn;
  }

  /** The signed-in staff member, locked or not (the lock screen needs to know who it is). */
  async requireSession(): Promise<SignedIn> {
    const s = await this.state();
    if (!s.signedIn || !s.staff || !s.clinic) {
      throw new DomainError('not_signed_in', 'Sign in to the console first.');
    }
    return { staff: s.staff, clinic: s.clinic };
  }

  /** Whether someone is signed in and the console is locked. */
  async isLocked(): Promise<boolean> {
    if (this.cachedLocked === undefined) {
      this.cachedLocked = (await this.db.read((m) => getState(m, 'locked'))) === true;
    }
    return this.cachedLocked && (await this.token()) !== null;
  }

  /**
   * The last known lock state without waiting, for filtering events on their way out. Not read yet
   * counts as locked: hiding a status for a moment is harmless, showing patient names is not.
   */
  get lockedHint(): boolean {
    return this.cachedLocked !== false;
  }

  async setLocked(locked: boolean): Promise<void> {
    await this.db.write((m) => setState(m, 'locked', locked));
    this.cachedLocked = locked;
  }

  /**
   * The token to push one staff member's changes with: the current one for the signed-in person,
   * a held one for someone who was signed in before, or null (they must sign in here again).
   */
  async tokenFor(staffUserId: string): Promise<{ token: string; held: boolean } | null> {
    const current = await this.state();
    if (current.signedIn && current.staff?.id === staffUserId) {
      const token = await this.token();
      return token ? { token, held: false } : null;
    }
    const ref = (await this.db.read((m) => getState(m, 'heldTokens')))?.find((h) => h.staffUserId === staffUserId)?.ref;
    const token = ref ? await this.secrets.get(ref).catch(() => null) : null;
    return token ? { token, held: true } : null;
  }

  /** This replica's sync client id, named at sign-in so the server binds the new token to it. */
  clientId(): Promise<string> {
    return this.db.write(ensureClientId);
  }

  /** The held tokens that can still be read, with whose changes they send. */
  async heldTokens(): Promise<{ staffUserId: string; token: string }[]> {
    const held = (await this.db.read((m) => getState(m, 'heldTokens'))) ?? [];
    const out: { staffUserId: string; token: string }[] = [];
    for (const h of held) {
      const token = await this.secrets.get(h.ref).catch(() => null);
      if (token) {
        out.push({ staffUserId: h.staffUserId, token });
      }
    }
    return out;
  }

  /** Forgets a held token the server refused (revoked elsewhere). */
  async dropHeld(staffUserId: string): Promise<void> {
    const held = await this.db.write((m) => takeHeld(m, staffUserId));
    if (held) {
      await this.secrets.delete(held.ref);
    }
  }

  /** Forgets the held tokens whose changes are all sent; returns them so the server can revoke them. */
  async releaseSettledHeld(): Promise<string[]> {
    const settled = await this.db.write(takeSettled);
    return this.retire(settled.map((h) => h.ref));
  }

  /** Deletes tokens from the SecretStore and returns the ones that could still be read. */
  private async retire(refs: string[]): Promise<string[]> {
    const tokens: string[] = [];
    for (const ref of refs) {
      const token = await this.secrets.get(ref).catch(() => null);
      if (token) {
        tokens.push(token);
      }
      await this.secrets.delete(ref);
    }
    return tokens;
  }

  /**
   * Keeps a fresh sign-in. Signing in to another clinic's server drops this replica and its
   * unsent changes: they belong to the other clinic and must never be pushed here.
   */
  async remember(signIn: StaffSignInResponse, serverUrl: string): Promise<{ replicaReset: boolean; retiredTokens: string[] }> {
    const ref = `device-token:${randomUUID()}`;
    await this.secrets.set(ref, signIn.token);
    const { retiredRefs, replicaReset } = await this.db.write(async (m) => {
      const previousClinic = await getState(m, 'clinic');
      const previousRef = await getState(m, 'deviceTokenRef');
      const previousStaff = await getState(m, 'staff');
      const reset = previousClinic !== null && previousClinic.id !== signIn.clinic.id;
      if (reset) {
        await m.clear(LocalPatientEntity);
        await m.clear(LocalInvitationEntity);
        await m.clear(ReplicaRowEntity);
        await outbox.clearForOtherClinic(m);
        await deleteState(m, 'clientId', 'cursorEpoch', 'cursorSeq', 'cursorCheck', 'lastSyncedAt', 'lastOutboxSeq', 'ackedSeq', 'resendGap');
      }
      // After the clear above: a reset replica has nobody's changes left to send.
      const retired = await handOver(m, { staff: previousStaff, ref: previousRef }, signIn.staff, reset);
      // Changes held because this person could not push from here go again, in their own name.
      await outbox.resendHeldOf(m, signIn.staff.id, new Date());
      await setState(m, 'deviceTokenRef', ref);
      await setState(m, 'deviceId', signIn.deviceId);
      await setState(m, 'staff', signIn.staff);
      await setState(m, 'clinic', signIn.clinic);
      await setState(m, 'serverUrl', serverUrl);
      await setState(m, 'locked', false);
      await deleteState(m, 'signInReason');
      return { retiredRefs: retired, replicaReset: reset };
    });
    this.cachedToken = signIn.token;
    this.cachedLocked = false;
    return { replicaReset, retiredTokens: await this.retire(retiredRefs.filter((r) => r !== ref)) };
  }

  /** Keeps what the server last said about the clinic (its time zone decides "today"). */
  async updateClinic(clinic: ClinicView, staff: StaffUserView): Promise<void> {
    await this.db.write(async (m) => {
      await setState(m, 'clinic', clinic);
      await setState(m, 'staff', staff);
    });
  }

  /**
   * Forgets the device token and the signed-in staff member; the replica and outbox stay. With
   * `holdIfPending` (signing out) the token is kept while that person's changes still wait, so
   * they are sent under their name; `held` says so, and the server must not revoke it yet.
   */
  async forget(options: { holdIfPending?: boolean } = {}): Promise<{ held: boolean }> {
    const { ref, held } = await this.db.write(async (m) => {
      const previous = await getState(m, 'deviceTokenRef');
      const keep = options.holdIfPending === true && (await holdIfPending(m, await getState(m, 'staff'), previous));
      await deleteState(m, 'deviceTokenRef', 'deviceId', 'staff', 'locked', 'unlockVerifiers');
      return { ref: previous, held: keep };
    });
    this.cachedToken = null;
    this.cachedLocked = false;
    if (ref && !held) {
      await this.secrets.delete(ref);
    }
    return { held };
  }

  /** Forgets the session only if `token` is still its token (a stale refusal must not sign out whoever came next). */
  async forgetIfCurrent(token: string, reason?: string): Promise<boolean> {
    if ((await this.token()) !== token) {
      return false;
    }
    // Like signing out, the replica and the outbox stay: the next sign-in sends what waits.
    await this.forget();
    if (reason) {
      await this.db.write((m) => setState(m, 'signInReason', reason));
    }
    return true;
  }

  /** The server's reason for the last forced sign-out, until someone signs in again. */
  signInReason(): Promise<string | null> {
    return this.db.read((m) => getState(m, 'signInReason'));
  }
}
