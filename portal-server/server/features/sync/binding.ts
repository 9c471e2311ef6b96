/**
 * Which device tokens may push under which client id (sync-loss hole 2, its binding part).
 *
 * A client id's seqs are its console's alone: a token of another console pushing under it could
 * apply changes out of that console's order, pass its seqs with `prevSeq`, exhaust them with the
 * highest seq, or hide its own edits from the conflict check (changedByOthersSince trusts the id).
 * A console pushes under one id with several tokens (one per staff member who signed in there), so
 * the binding is per console, kept as (clientId, deviceId) pairs:
 *
 * - A sign-in names the console's client id and binds the new token to it. The password proves a
 *   staff member of the clinic; the id is a random UUID the server shows no other console.
 * - A token bound to nothing yet (signed in before this upgrade, or by a client that named no id)
 *   is bound at its first push to the id it uses: as strong as a sign-in naming that id, and it
 *   keeps consoles signed in before the upgrade working without a new sign-in.
 * - A bound token pushing under any other id is refused whole (403), before anything is written.
 * - A console that takes a new id (after `seq_reused`) claims it for each of its tokens: allowed
 *   when nothing was pushed under it and no token is bound to it yet, or when a token already
 *   bound to it shares a client id with the caller (this console's tokens moving together). A
 *   claim adds a binding and keeps the old one: a token copied with a cloned console is then still
 *   good for the twin that kept the old id.
 *
 * Bindings are only ever added, so a check made before a push's transactions stays true for it.
 */
import { lockKey } from '../../../../shared/node/db';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import { ClientBindingEntity, ClientMutationEntity } from '../../../../shared/node/entities/server';
import type { ClientBindingOrigin } from '../../../../shared/node/entities/server';
import type { ClaimClientRequest } from '../../../../shared/sync/protocol';
import { UUID } from '../../../../shared/validation/requests';
import type { ServerContext } from '../../context';
import type { StaffPrincipal } from '../staff/service';

export const CLIENT_ID = UUID;

const NOT_THIS_CONSOLE = new DomainError(
  'forbidden',
  "This sign-in belongs to another console and cannot send changes under this console's numbers. Nothing was changed. Sign in again on this console.",
);

/** Binds `deviceId` to `clientId`; binding twice changes nothing (also when two instances race). */
export async function bindClient(m: EntityManager, clinicId: string, clientId: string, deviceId: string, boundBy: ClientBindingOrigin, now: string): Promise<void> {
  await m.createQueryBuilder().insert().into(ClientBindingEntity).values({ clientId, deviceId, clinicId, boundBy, createdAt: now }).orIgnore().execute();
}

const isBound = async (m: EntityManager, p: StaffPrincipal, clientId: string): Promise<boolean> =>
  (await m.countBy(ClientBindingEntity, { clientId, deviceId: p.device.id, clinicId: p.clinic.id })) > 0;

const isUnbound = async (m: EntityManager, p: StaffPrincipal): Promise<boolean> => (await m.countBy(ClientBindingEntity, { deviceId: p.device.id })) === 0;

/**
 * Refuses a push under a client id the caller's token is not bound to, writing nothing; a token
 * bound to nothing yet is bound to it now. Call before the push's first transaction.
 */
export async function requireBinding(ctx: ServerContext, p: StaffPrincipal, clientId: string): Promise<void> {
  if (await ctx.db.read((m) => isBound(m, p, clientId))) {
    return;
  }
  await ctx.db.write(async (m) => {
    // Two first pushes under different ids at once: the second finds the token bound.
    await lockKey(m, `binding:${p.device.id}`);
    if (!(await isUnbound(m, p))) {
      throw NOT_THIS_CONSOLE;
    }
    await bindClient(m, p.clinic.id, clientId, p.device.id, 'first_push', ctx.now().toISOString());
  });
}

/** Whether a token bound to `clientId` in this clinic is also bound to an id the caller is bound to. */
async function sharesConsole(m: EntityManager, p: StaffPrincipal, clientId: string): Promise<boolean> {
  const found = await m
    .createQueryBuilder(ClientBindingEntity, 'mine')
    .innerJoin(ClientBindingEntity.options.name, 'peer', 'peer.clientId = mine.clientId AND peer.clinicId = mine.clinicId')
    .innerJoin(ClientBindingEntity.options.name, 'target', 'target.deviceId = peer.deviceId AND target.clinicId = peer.clinicId')
    .where('mine.deviceId = :device AND mine.clinicId = :clinic AND target.clientId = :clientId', { device: p.device.id, clinic: p.clinic.id, clientId })
    .getCount();
  return found > 0;
}

/** POST /api/sync/client: binds the caller's token to the client id its console now pushes under. */
export async function claimClient(ctx: ServerContext, p: StaffPrincipal, body: unknown): Promise<void> {
  const clientId = (body as Partial<ClaimClientRequest> | undefined)?.clientId;
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) {
    throw new DomainError('validation_failed', 'Name the client id to send changes under.');
  }
  await ctx.db.write(async (m) => {
    if (await isBound(m, p, clientId)) {
      return;
    }
    const unused = (await m.countBy(ClientMutationEntity, { clientId })) === 0 && (await m.countBy(ClientBindingEntity, { clientId })) === 0;
    if (!unused && !(await isUnbound(m, p)) && !(await sharesConsole(m, p, clientId))) {
      throw NOT_THIS_CONSOLE;
    }
    await bindClient(m, p.clinic.id, clientId, p.device.id, 'claim', ctx.now().toISOString());
  });
}
