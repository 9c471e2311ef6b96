/** The message shapes between a fault test and its child processes. */
export interface Request {
  id: number;
  cmd: string;
  args?: unknown;
}
export interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** Answers the parent's requests with `handlers`; a thrown error travels back as its message. */
export function serve(handlers: Record<string, (args: never) => Promise<unknown>>): void {
  // The test process is gone (it timed out and its worker was ended, or crashed): never outlive it.
  process.on('disconnect', () => die());
  process.on('message', (message: Request) => {
    const handler = handlers[message.cmd];
    const run = handler ? handler(message.args as never) : Promise.reject(new Error(`unknown command ${message.cmd}`));
    run.then(
      (result) => process.send?.({ id: message.id, ok: true, result } satisfies Reply),
      (err: unknown) => process.send?.({ id: message.id, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } satisfies Reply),
    );
  });
}

/** Ends this process the hard way, as a power cut or the task manager would. */
export function die(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}
