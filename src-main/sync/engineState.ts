/**
 * The sync engine's lifecycle as one explicit state machine: every state it can be in and, for each
 * event, the states it may happen in and where it leads. The engine changes state only through
 * `nextState`; an event in a state the table does not list is a programming error and throws.
 *
 * Online/offline is not a state here: it is what the engine last learned about the network, and
 * it changes independently (a stream drops while idle, a sync finds the server while stopping).
 * `clean` and the pull cursor the engine remembers are caches, not lifecycle either.
 */
export type EngineState =
  /** Not started, or stopped (signed out, locked out): no timers, no stream. */
  | 'stopped'
  /** Running, no sync in progress: the stream and the safety timer will start one. */
  | 'idle'
  /** Running, a sync (push then pull, or a pull alone) in progress. */
  | 'syncing'
  /** Running; the last sync failed and a retry is scheduled with back-off (a poke or "Sync now" may come first). */
  | 'waitingToRetry'
  /** Stop was asked: timers and stream are ending and a sync in progress may still finish. */
  | 'stopping'
  /** For good: the replica is closing. */
  | 'closed';

export type EngineEvent = 'start' | 'syncBegins' | 'syncEnds' | 'syncFails' | 'stop' | 'stopped' | 'close';

export const ENGINE_STATES: readonly EngineState[] = ['stopped', 'idle', 'syncing', 'waitingToRetry', 'stopping', 'closed'];

/** event → (from state → to state). A state missing under an event: that event may not happen there. */
export const ENGINE_TRANSITIONS: Readonly<Record<EngineEvent, Partial<Record<EngineState, EngineState>>>> = {
  // A start while an earlier stop is still finishing is allowed (a sign-in right after a sign-out).
  start: { stopped: 'idle', stopping: 'idle' },
  syncBegins: { idle: 'syncing', waitingToRetry: 'syncing' },
  // A sync that ends after a stop or close was asked leaves that as it is.
  syncEnds: { syncing: 'idle', stopping: 'stopping', closed: 'closed' },
  syncFails: { syncing: 'waitingToRetry', stopping: 'stopping', closed: 'closed' },
  stop: { idle: 'stopping', syncing: 'stopping', waitingToRetry: 'stopping' },
  stopped: { stopping: 'stopped' },
  close: { stopped: 'closed', idle: 'closed', syncing: 'closed', waitingToRetry: 'closed', stopping: 'closed', closed: 'closed' },
};

export function nextState(state: EngineState, event: EngineEvent): EngineState {
  const to = ENGINE_TRANSITIONS[event][state];
  if (to === undefined) {
    throw new Error(`sync engine: '${event}' cannot happen while ${state}`);
  }
  return to;
}

/** Running: started, not stopping or closed (timers and the event stream are live). */
export function isRunningState(state: EngineState): boolean {
  return state === 'idle' || state === 'syncing' || state === 'waitingToRetry';
}
