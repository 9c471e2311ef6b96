/**
 * Each change in the outbox is pushed with the device token of the staff member who made it, so
 * the server attributes it to them. When another person signs in on this console (a quick switch
 * at the lock screen, or after a sign-out), the previous person's token is kept — "held" — only
 * until their waiting changes are sent; then it is revoked. Functions run inside the caller's
 * transaction; SecretStore work (reading, deleting the token itself) is the Session's.
 */
import type { EntityManager } from 'typeorm';
import type { StaffUserView } from '../../shared/domain/staff';
import { outbox } from '../replica/outbox';
import { getState, setState } from '../replica/syncState';
import type { HeldToken } from '../replica/syncState';

/** How many of this staff member's changes wait to be sent. */
export function pendingBy(m: EntityManager, staffUserId: string): Promise<number> {
  return outbox.pendingBy(m, staffUserId);
}

export async function heldTokens(m: EntityManager): Promise<HeldToken[]> {
  return (await getState(m, 'heldTokens')) ?? [];
}

/**
 * A new sign-in replaces `previous`. Returns the SecretStore keys of tokens nobody needs any more
 * (to delete here and revoke on the server): the previous person's, unless their changes still
 * wait; any held token of the person now signing in (their new token speaks for their changes);
 * and every held token when the replica was reset for another clinic.
 */
export async function handOver(
  m: EntityManager,
  previous: { staff: StaffUserView | null; ref: string | null },
  next: StaffUserView,
  replicaReset: boolean,
): Promise<string[]> {
  let held = replicaReset ? [] : await heldTokens(m);
  const retired = replicaReset ? (await heldTokens(m)).map((h) => h.ref) : [];
  if (previous.ref) {
    const someoneElse = previous.staff !== null && previous.staff.id !== next.id;
    if (!replicaReset && someoneElse && previous.staff && (await pendingBy(m, previous.staff.id)) > 0) {
      held = [...held.filter((h) => h.staffUserId !== previous.staff?.id), { staffUserId: previous.staff.id, displayName: previous.staff.displayName, ref: previous.ref }];
    } else {
      retired.push(previous.ref);
    }
  }
  retired.push(...held.filter((h) => h.staffUserId === next.id).map((h) => h.ref));
  await setState(m, 'heldTokens', held.filter((h) => h.staffUserId !== next.id));
  return retired;
}

/** Signing out: keeps the token while this person's changes wait. Whether it was kept. */
export async function holdIfPending(m: EntityManager, staff: StaffUserView | null, ref: string | null): Promise<boolean> {
  if (!staff || !ref || (await pendingBy(m, staff.id)) === 0) {
    return false;
  }
  const held = (await heldTokens(m)).filter((h) => h.staffUserId !== staff.id);
  await setState(m, 'heldTokens', [...held, { staffUserId: staff.id, displayName: staff.displayName, ref }]);
  return true;
}

/** Removes and returns one person's held token (it was refused, or is no longer needed). */
export async function takeHeld(m: EntityManager, staffUserId: string): Promise<HeldToken | null> {
  const held = await heldTokens(m);
  const found = held.find((h) => h.staffUserId === staffUserId) ?? null;
  if (found) {
    await setState(
      m,
      'heldTokens',
      held.filter((h) => h !== found),
    );
  }
  return found;
}

/** Removes and returns the held tokens whose changes have all been sent. */
export async function takeSettled(m: EntityManager): Promise<HeldToken[]> {
  const held = await heldTokens(m);
  const settled: HeldToken[] = [];
  for (const h of held) {
    if ((await pendingBy(m, h.staffUserId)) === 0) {
      settled.push(h);
    }
  }
  if (settled.length > 0) {
    await setState(
      m,
      'heldTokens',
      held.filter((h) => !settled.includes(h)),
    );
  }
  return settled;
}
