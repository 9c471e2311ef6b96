import { DomainError, isApiErrorResponse } from '../../shared/api/errors';
import { SYNC_PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../shared/sync/protocol';

/** The clinic server could not be reached (no connection, refused, timed out, or a gateway error). */
export class ServerUnreachableError extends Error {
  constructor(cause?: unknown) {
    super('The clinic server is not reachable.', { cause });
    this.name = 'ServerUnreachableError';
  }
}

export type FetchLike = typeof fetch;

export interface ServerRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  token?: string | null;
  /** Adds the sync protocol header. */
  sync?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export function serverHeaders(token: string | null | undefined, sync: boolean, json: boolean): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (json) {
    headers['content-type'] = 'application/json';
  }
  if (token) {
    headers.authorization = `Bearer ${token}`;
  }
  if (sync) {
    headers[SYNC_PROTOCOL_HEADER] = String(SYNC_PROTOCOL_VERSION);
  }
  return headers;
}

export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/(?<!\/)\/+$/, '')}${path}`;
}

/**
 * One JSON request to the clinic server. Network failures become ServerUnreachableError; an
 * error answer `{error:{code,message,fields}}` becomes a DomainError with the same code, message and fields.
 */
export async function callServer<T>(fetchImpl: FetchLike, baseUrl: string, req: ServerRequest): Promise<T> {
  const timeout = AbortSignal.timeout(req.timeoutMs ?? 15_000);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetchImpl(joinUrl(baseUrl, req.path), {
      method: req.method,
      headers: serverHeaders(req.token, req.sync ?? false, req.body !== undefined),
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      // A redirect would resend the body (a password, a token) to wherever it points: never followed.
      redirect: 'error',
      signal,
    });
  } catch (err) {
    if (req.signal?.aborted) {
      throw err;
    }
    throw new ServerUnreachableError(err);
  }
  if (res.status === 204) {
    return undefined as T;
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    if (req.signal?.aborted) {
      throw err;
    }
    // Not JSON (a proxy's error page, an empty reply): judged by the status alone below.
    body = null;
  }
  if (res.ok) {
    return body as T;
  }
  if (isApiErrorResponse(body)) {
    throw new DomainError(body.error.code, body.error.message, body.error.fields);
  }
  if (res.status === 502 || res.status === 503 || res.status === 504) {
    throw new ServerUnreachableError(new Error(`HTTP ${res.status}`));
  }
  throw new DomainError('internal', `The clinic server answered with an unexpected error (HTTP ${res.status}). Try again in a moment.`);
}
