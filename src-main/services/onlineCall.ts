import { DomainError } from '../../shared/api/errors';
import type { FetchLike, ServerRequest } from '../net/serverClient';
import { ServerUnreachableError, callServer } from '../net/serverClient';
import type { Session } from '../session/session';

export interface OnlineCallDeps {
  session: Session;
  serverUrl: string;
  fetch: FetchLike;
}

/**
 * Admin-only work is refused here before any request leaves the console, as the other channels
 * check their roles locally; the server checks again on its own.
 */
export async function requireAdmin(session: Session, message: string): Promise<void> {
  const { staff } = await session.requireSignedIn();
  if (staff.role !== 'admin') {
    throw new DomainError('forbidden', message);
  }
}

/**
 * A call for what lives only on the server (staff accounts, clinic settings): it never queues.
 * Unreachable → DomainError('offline', offlineMessage); the server's own errors keep their code,
 * message and fields (callServer rethrows them as DomainError).
 */
export async function callOnline<T>(o: OnlineCallDeps, req: Omit<ServerRequest, 'token'>, offlineMessage: string): Promise<T> {
  await o.session.requireSignedIn();
  const token = await o.session.token();
  try {
    return await callServer<T>(o.fetch, o.serverUrl, { ...req, token });
  } catch (err) {
    if (err instanceof ServerUnreachableError) {
      throw new DomainError('offline', offlineMessage);
    }
    throw err;
  }
}
