import type { ApiErrorBody, ErrorCode } from '../../../shared/api/errors';
import type { IpcChannel, IpcContract, IpcEvent, IpcEvents } from '../../../shared/ipc/contract';

/** An error the main process answered with, carried as data (see IpcResult). */
export class ConsoleError extends Error {
  readonly code: ErrorCode;
  readonly fields: Record<string, string> | undefined;

  constructor(readonly body: ApiErrorBody) {
    super(body.message);
    this.name = 'ConsoleError';
    this.code = body.code;
    this.fields = body.fields;
  }
}

type ArgsOf<C extends IpcChannel> = IpcContract[C]['args'] extends void ? [] : [IpcContract[C]['args']];

let onSignedOut: (() => void) | null = null;

/** Lets the app store go back to the sign-in screen when a device token stops working. */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

/** Calls a channel of the IPC contract: resolves with its value or throws a ConsoleError. */
export async function call<C extends IpcChannel>(channel: C, ...args: ArgsOf<C>): Promise<IpcContract[C]['result']> {
  if (typeof window.api === 'undefined') {
    throw new ConsoleError({ code: 'internal', message: 'The console could not reach its background service. Restart the console.' });
  }
  let result;
  try {
    result = await window.api.invoke(channel, args[0] as IpcContract[C]['args']);
  } catch {
    throw new ConsoleError({ code: 'internal', message: 'Something went wrong in the console. Try again.' });
  }
  if (result.ok) {
    return result.value;
  }
  if (result.error.code === 'not_signed_in' && channel !== 'auth.signIn' && onSignedOut) {
    onSignedOut();
  }
  throw new ConsoleError(result.error);
}

/** What to show a person for any failure: the main process's own words, or a plain fallback. */
export function errorMessage(error: unknown): string {
  if (error instanceof ConsoleError) {
    return error.message;
  }
  return 'Something went wrong. Try again.';
}

/** Listens to a main → renderer event; returns the function that stops listening. */
export function subscribe<E extends IpcEvent>(event: E, listener: (payload: IpcEvents[E]) => void): () => void {
  if (typeof window.api === 'undefined') {
    return () => undefined;
  }
  return window.api.on(event, listener);
}
