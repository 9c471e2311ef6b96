import type { IpcEvent, IpcEvents } from '../shared/ipc/contract';

type Listener<E extends IpcEvent> = (payload: IpcEvents[E]) => void;

/** Main → renderer events (sync status, data changed), typed by the IPC contract. */
export class ConsoleEvents {
  private readonly listeners = new Map<IpcEvent, Set<(payload: never) => void>>();

  on<E extends IpcEvent>(event: E, listener: Listener<E>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (payload: never) => void);
    this.listeners.set(event, set);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }

  emit<E extends IpcEvent>(event: E, payload: IpcEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<E>)(payload);
      } catch {
        // One broken listener (a closed window) must not stop the others.
      }
    }
  }
}
