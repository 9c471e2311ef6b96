import { describe, expect, it } from 'vitest';
import { instantToZoned, zonedToInstant } from './zoned';

describe('clinic wall-clock times', () => {
  it('converts a clinic-local time to UTC and back, across daylight saving', () => {
    expect(zonedToInstant('2026-12-01', '09:30', 'America/Chicago')).toBe('2026-12-01T15:30:00.000Z');
    expect(zonedToInstant('2026-07-01', '09:30', 'America/Chicago')).toBe('2026-07-01T14:30:00.000Z');
    expect(zonedToInstant('2026-03-08', '12:00', 'America/New_York')).toBe('2026-03-08T16:00:00.000Z');
    expect(instantToZoned('2026-12-01T15:30:00.000Z', 'America/Chicago')).toEqual({ date: '2026-12-01', time: '09:30' });
    expect(zonedToInstant('2026-12-01', '9:30', 'America/Chicago')).toBeNull();
  });
});
