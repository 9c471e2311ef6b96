/**
 * The idle lock for shared front-desk computers. A locked console keeps its session, replica and
 * outbox (sync goes on), but refuses every patient-data request until a staff member signs in
 * again: the same person, or someone else (a quick switch). Online, unlocking is a fresh sign-in
 * with the clinic server; offline, only the person signed in can unlock, checked against an
 * argon2id verifier of their password kept from their last online sign-in here.
 */
import { DomainError } from '../../shared/api/errors';
import type { StaffUserView } from '../../shared/domain/staff';
import { IDLE_LOCK_MINUTES } from '../../shared/ipc/contract';
import type { AppStatus, StaffCredentials } from '../../shared/ipc/contract';
import type { Database } from '../../shared/node/db';
import { hashPassword, verifyPassword } from '../../shared/node/secrets';
import { getState, setState } from '../replica/syncState';
import type { AuthService } from './auth';
import { ServerUnreachableError } from '../net/serverClient';
import type { Session } from './session';

export const DEFAULT_IDLE_LOCK_SECONDS = IDLE_LOCK_MINUTES.default * 60;
const FREE_OFFLINE_TRIES = 5;
const MAX_OFFLINE_WAIT_MS = 15 * 60_000;

export async function readIdleLockSeconds(db: Database): Promise<number> {
  return (await db.read((m) => getState(m, 'idleLockSeconds'))) ?? DEFAULT_IDLE_LOCK_SECONDS;
}

/** Keeps only this person's verifier: nobody else can unlock offline, so no other hash need stay here. */
export async function rememberVerifier(db: Database, staff: StaffUserView, password: string): Promise<void> {
  // Hashing is slow on purpose: it happens outside the database lock.
  const verifier = await hashPassword(password);
  await db.write((m) => setState(m, 'unlockVerifiers', { [staff.username.toLowerCase()]: { staffUserId: staff.id, verifier } }));
}

async function checkVerifier(db: Database, staff: StaffUserView, password: string): Promise<'match' | 'mismatch' | 'none'> {
  const entry = (await db.read((m) => getState(m, 'unlockVerifiers')))?.[staff.username.toLowerCase()];
  if (!entry || entry.staffUserId !== staff.id) {
    return 'none';
  }
  return (await verifyPassword(entry.verifier, password)) ? 'match' : 'mismatch';
}

export interface ConsoleLockDeps {
  db: Database;
  session: Session;
  auth: AuthService;
  /** The lock state changed (the renderer hides or shows patient data). */
  changed(): void;
  now(): Date;
}

export class ConsoleLockService {
  private offlineFailures = 0;
  private offlineBlockedUntil = 0;

  constructor(private readonly o: ConsoleLockDeps) {}

  isLocked(): Promise<boolean> {
    return this.o.session.isLocked();
  }

  /** The last known lock state without waiting (for events on their way to the window). */
  lockedHint(): boolean {
    return this.o.session.lockedHint;
  }

  /** "Lock now", the idle timer, or the computer's own screen lock. */
  async lock(): Promise<AppStatus> {
    await this.o.session.requireSession();
    if (!(await this.o.session.isLocked())) {
      await this.o.session.setLocked(true);
      this.o.changed();
    }
    return this.o.auth.status();
  }

  async unlock(credentials: StaffCredentials): Promise<AppStatus> {
    const { staff } = await this.o.session.requireSession();
    // The person signed in here re-proves their password only; anyone else (a quick switch) is asked
    // for their second factor by the server.
    const samePerson = credentials.username.trim().toLowerCase() === staff.username.toLowerCase();
    const renewToken = samePerson ? await this.o.session.token() : null;
    let online;
    try {
      online = await this.o.auth.verifyOnline(credentials, renewToken);
    } catch (err) {
      if (!(err instanceof ServerUnreachableError)) {
        throw err;
      }
      await this.unlockOffline(staff, credentials);
      return this.o.auth.status();
    }
    // The same person gets a fresh token; someone else takes over the console.
    await this.o.auth.adopt(online, credentials.password);
    this.offlineFailures = 0;
    this.o.changed();
    const status = await this.o.auth.status();
    return online.recoveryCodes ? { ...status, recoveryCodes: online.recoveryCodes } : status;
  }

  private async unlockOffline(staff: StaffUserView, credentials: { username: string; password: string }): Promise<void> {
    if (credentials.username.trim().toLowerCase() !== staff.username.toLowerCase()) {
      throw new DomainError(
        'offline',
        `The clinic server is not reachable, so only ${staff.displayName} can unlock this console now. Another staff member can sign in once the connection is back.`,
      );
    }
    const waitMs = this.offlineBlockedUntil - this.o.now().getTime();
    if (waitMs > 0) {
      throw new DomainError('rate_limited', `Too many wrong passwords. Wait ${Math.ceil(waitMs / 1000)} seconds and try again.`);
    }
    const result = await checkVerifier(this.o.db, staff, credentials.password);
    if (result === 'none') {
      throw new DomainError('offline', 'The clinic server is not reachable, and this console cannot check your password without it yet. Unlock once the connection is back.');
    }
    if (result === 'mismatch') {
      this.offlineFailures += 1;
      if (this.offlineFailures >= FREE_OFFLINE_TRIES) {
        const wait = Math.min(MAX_OFFLINE_WAIT_MS, 30_000 * 2 ** (this.offlineFailures - FREE_OFFLINE_TRIES));
        this.offlineBlockedUntil = this.o.now().getTime() + wait;
      }
      throw new DomainError('invalid_credentials', 'The password is not right.');
    }
    this.offlineFailures = 0;
    await this.o.session.setLocked(false);
    this.o.changed();
  }

  /** Admins only: how long this computer may sit unused before it locks. */
  async setIdleLock(minutes: number): Promise<AppStatus> {
    const { staff } = await this.o.session.requireSignedIn();
    if (staff.role !== 'admin') {
      throw new DomainError('forbidden', 'Only a clinic administrator can change when this console locks.');
    }
    if (!Number.isInteger(minutes) || minutes < IDLE_LOCK_MINUTES.min || minutes > IDLE_LOCK_MINUTES.max) {
      const message = `Enter a whole number of minutes from ${IDLE_LOCK_MINUTES.min} to ${IDLE_LOCK_MINUTES.max}.`;
      throw new DomainError('validation_failed', message, { minutes: message });
    }
    await this.o.db.write((m) => setState(m, 'idleLockSeconds', minutes * 60));
    this.o.changed();
    return this.o.auth.status();
  }
}
