import { CSRF_HEADER, SESSION_IDLE_HEADER } from '../../../../shared/api/types';
import { isApiErrorResponse } from '../../../../shared/api/errors';
import type { ApiErrorBody, ErrorCode } from '../../../../shared/api/errors';
import { errorText, tx } from '../i18n';

/** An error answer from the portal server (or the network), as data the UI can show. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** The server's English, kept: `message` and `fields` are said in the page's language when read. */
  readonly englishMessage: string;
  readonly params: Record<string, string | number>;
  private readonly englishFields: Record<string, string>;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.code = body.code;
    this.status = status;
    this.englishMessage = body.message;
    this.params = body.params ?? {};
    this.englishFields = body.fields ?? {};
    // A getter, not a copy: a message on screen follows the language switch (and Vue re-renders it).
    Object.defineProperty(this, 'message', { get: () => errorText(this.code, this.englishMessage, this.params), configurable: true, enumerable: false });
  }

  /** Field path → what is wrong with it, in the page's language. */
  get fields(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.englishFields).map(([path, text]) => [path, tx(text)]));
  }
}

export const UNREACHABLE_MESSAGE = 'The portal is not reachable. Try again in a moment.';
const UNEXPECTED_MESSAGE = 'Something went wrong on our side. Try again in a moment.';

/**
 * The session's CSRF token, kept by the session store. Every state-changing request carries it
 * once a patient has signed in; before that (registration, sign-in) there is none to send.
 */
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/**
 * Called when the server says the session is gone (idle timeout, absolute lifetime, signed out in
 * another tab) on any request but the session's own: the app sends the patient to Sign In.
 */
let sessionExpiredHandler: (() => void) | null = null;

export function onSessionExpired(handler: (() => void) | null): void {
  sessionExpiredHandler = handler;
}

/**
 * Called with the seconds the server will still keep the session without another request: every
 * signed-in answer says so, and the idle warning counts down from it.
 */
let sessionActivityHandler: ((remainingSeconds: number) => void) | null = null;

export function onSessionActivity(handler: ((remainingSeconds: number) => void) | null): void {
  sessionActivityHandler = handler;
}

function isSessionRequest(path: string): boolean {
  return path === '/api/session' || path.startsWith('/api/session/');
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  if (method !== 'GET' && csrfToken !== null) {
    headers[CSRF_HEADER] = csrfToken;
  }

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { code: 'offline', message: UNREACHABLE_MESSAGE });
  }

  const idleRemaining = Number(response.headers.get(SESSION_IDLE_HEADER) ?? 'NaN');
  if (Number.isFinite(idleRemaining)) {
    sessionActivityHandler?.(idleRemaining);
  }
  if (response.status === 204) {
    return undefined as T;
  }
  const payload = await readJson(response);
  if (response.ok) {
    return payload as T;
  }
  if (isApiErrorResponse(payload)) {
    if (response.status === 401 && payload.error.code === 'not_signed_in' && !isSessionRequest(path)) {
      sessionExpiredHandler?.();
    }
    throw new ApiError(response.status, payload.error);
  }
  // A proxy's HTML error page or a dropped connection mid-answer: say so in the patient's words.
  const unreachable = response.status === 502 || response.status === 503 || response.status === 504;
  throw new ApiError(response.status, {
    code: unreachable ? 'offline' : 'internal',
    message: unreachable ? UNREACHABLE_MESSAGE : UNEXPECTED_MESSAGE,
  });
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

export const api = {
  get: <T>(path: string): Promise<T> => request<T>('GET', path),
  post: <T>(path: string, body: unknown): Promise<T> => request<T>('POST', path, body),
  put: (path: string, body: unknown): Promise<void> => request<void>('PUT', path, body),
  delete: (path: string): Promise<void> => request<void>('DELETE', path),
};
