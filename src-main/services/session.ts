import { randomUUID } from 'node:crypto';
import { DomainError } from '../../shared/api/errors';
import type { StaffSignInResponse } from '../../shared/api/types';
import type { ClinicView } from '../../shared/domain/clinic';
import type { StaffUserView } from '../../shared/domain/staff';
import type { Database } from '../../shared/node/db';
import { LocalInvitationEntity, LocalPatientEntity, OutboxEntity, ReplicaRowEntity } from '../db/entities';
import { deleteState, getState, setState } from '../db/syncState';
import type { SecretStore } from '../platform/secretStore';

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
export class Session {
  private cachedToken: string | null | undefined;

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

  async requireSignedIn(): Promise<SignedIn> {
    const s = await this.state();
    if (!s.signedIn || !s.staff || !s.clinic) {
      throw new DomainError('not_signed_in', 'Sign in to the console first.');
    }
    return { staff: s.staff, clinic: s.clinic };
  }

  /**
   * Keeps a fresh sign-in. Signing in to another clinic's server drops this replica and its
   * unsent changes: they belong to the other clinic and must never be pushed here.
   */
  async remember(signIn: StaffSignInResponse, serverUrl: string): Promise<{ replicaReset: boolean }> {
    const ref = `device-token:${randomUUID()}`;
    await this.secrets.set(ref, signIn.token);
    const { oldRef, replicaReset } = await this.db.write(async (m) => {
      const previousClinic = await getState(m, 'clinic');
      const previousRef = await getState(m, 'deviceTokenRef');
      const reset = previousClinic !== null && previousClinic.id !== signIn.clinic.id;
      if (reset) {
        await m.clear(LocalPatientEntity);
        await m.clear(LocalInvitationEntity);
        await m.clear(ReplicaRowEntity);
        await m.clear(OutboxEntity);
        await deleteState(m, 'clientId', 'cursorEpoch', 'cursorSeq', 'lastSyncedAt', 'lastOutboxSeq');
      }
      await setState(m, 'deviceTokenRef', ref);
      await setState(m, 'staff', signIn.staff);
      await setState(m, 'clinic', signIn.clinic);
      await setState(m, 'serverUrl', serverUrl);
      return { oldRef: previousRef, replicaReset: reset };
    });
    this.cachedToken = signIn.token;
    if (oldRef && oldRef !== ref) {
      await this.secrets.delete(oldRef);
    }
    return { replicaReset };
  }

  /** Keeps what the server last said about the clinic (its time zone decides "today"). */
  async updateClinic(clinic: ClinicView, staff: StaffUserView): Promise<void> {
    await this.db.write(async (m) => {
      await setState(m, 'clinic', clinic);
      await setState(m, 'staff', staff);
    });
  }

  /** Forgets the device token and the signed-in staff member; the replica and outbox stay. */
  async forget(): Promise<void> {
    const ref = await this.db.write(async (m) => {
      const previous = await getState(m, 'deviceTokenRef');
      await deleteState(m, 'deviceTokenRef', 'staff');
      return previous;
    });
    this.cachedToken = null;
    if (ref) {
      await this.secrets.delete(ref);
    }
  }
}
