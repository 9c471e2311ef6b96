import { describe, expect, it } from 'vitest';
import { ENGINE_STATES, ENGINE_TRANSITIONS, isRunningState, nextState } from './engineState';
import type { EngineEvent, EngineState } from './engineState';

const EVENTS = Object.keys(ENGINE_TRANSITIONS) as EngineEvent[];

describe('the sync engine’s lifecycle', () => {
  it.each([
    ['stopped', 'start', 'idle'],
    ['stopping', 'start', 'idle'],
    ['idle', 'syncBegins', 'syncing'],
    ['waitingToRetry', 'syncBegins', 'syncing'],
    ['syncing', 'syncEnds', 'idle'],
    ['syncing', 'syncFails', 'waitingToRetry'],
    ['stopping', 'syncEnds', 'stopping'],
    ['stopping', 'syncFails', 'stopping'],
    ['closed', 'syncEnds', 'closed'],
    ['idle', 'stop', 'stopping'],
    ['syncing', 'stop', 'stopping'],
    ['waitingToRetry', 'stop', 'stopping'],
    ['stopping', 'stopped', 'stopped'],
    ['syncing', 'close', 'closed'],
    ['stopped', 'close', 'closed'],
  ] as [EngineState, EngineEvent, EngineState][])('%s --%s--> %s', (from, event, to) => {
    expect(nextState(from, event)).toBe(to);
  });

  it('refuses what cannot happen: no sync while stopped or already syncing, no start while running, no stop twice', () => {
    expect(() => nextState('stopped', 'syncBegins')).toThrow("'syncBegins' cannot happen while stopped");
    expect(() => nextState('syncing', 'syncBegins')).toThrow();
    expect(() => nextState('idle', 'start')).toThrow();
    expect(() => nextState('stopped', 'stop')).toThrow();
    expect(() => nextState('idle', 'syncEnds')).toThrow();
  });

  it('closed is final: every event but close and a late sync end is refused, and those stay closed', () => {
    for (const event of EVENTS) {
      const to = ENGINE_TRANSITIONS[event].closed;
      if (to === undefined) {
        expect(() => nextState('closed', event)).toThrow();
      } else {
        expect(to).toBe('closed');
      }
    }
  });

  it('every state can be reached from stopped, and every transition leads to a known state', () => {
    const reached = new Set<EngineState>(['stopped']);
    for (let round = 0; round < ENGINE_STATES.length; round += 1) {
      for (const event of EVENTS) {
        for (const [from, to] of Object.entries(ENGINE_TRANSITIONS[event]) as [EngineState, EngineState][]) {
          expect(ENGINE_STATES).toContain(to);
          if (reached.has(from)) {
            reached.add(to);
          }
        }
      }
    }
    expect([...reached].sort()).toEqual([...ENGINE_STATES].sort());
    expect(ENGINE_STATES.filter(isRunningState)).toEqual(['idle', 'syncing', 'waitingToRetry']);
  });
});
