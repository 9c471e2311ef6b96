import { describe, expect, it } from 'vitest';
import { appointmentSlotSchema } from '../validation/requests';
import { parseStorableInstant } from './instant';

describe('storable instants', () => {
  it('takes the ISO instants consoles send, in years 1900..9999 on real dates', () => {
    expect(parseStorableInstant('2030-03-01T15:30:00.000Z')).toBe(Date.UTC(2030, 2, 1, 15, 30));
    expect(parseStorableInstant('2030-03-01T09:30-06:00')).toBe(Date.UTC(2030, 2, 1, 15, 30));
    expect(parseStorableInstant('1900-01-01T00:00:00.000Z')).not.toBeNull();
    expect(parseStorableInstant('9999-12-31T23:59:59.999Z')).not.toBeNull();
  });

  it('refuses what the database cannot hold or is no instant', () => {
    for (const bad of ['+275760-09-13T00:00:00.000Z', '10000-01-01T00:00:00.000Z', '1899-12-31T23:59:59.999Z', '1900-01-01T00:30:00+01:00', '2030-02-31T10:00:00.000Z', '2030-01-01T24:00Z', '2030-01-01T10:00:00', 'March 1, 2030 10:00 GMT', '']) {
      expect(parseStorableInstant(bad), bad).toBeNull();
    }
  });

  it('the slot schema refuses a start or an end past year 9999 with a field message', () => {
    const slot = { physicianId: '0b1f6a52-5a52-4c3b-9a3f-5d8c2c0f2b11', durationMinutes: 30 };
    expect(appointmentSlotSchema.isValidSync({ ...slot, start: '2031-05-05T14:00:00.000Z' })).toBe(true);
    expect(() => appointmentSlotSchema.validateSync({ ...slot, start: '+275760-09-13T00:00:00.000Z' })).toThrow('Choose a valid start time.');
    expect(appointmentSlotSchema.isValidSync({ ...slot, start: '9999-12-31T23:45:00.000Z' })).toBe(false);
  });
});
