import { describe, expect, it } from 'vitest';
import { databaseErrorCodes } from './errorCodes';

describe('databaseErrorCodes', () => {
  it('reads the error’s own code first, then its driver’s or its cause’s, skipping codes that are not strings', () => {
    const driver = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const typeorm = Object.assign(new Error('deadlock detected'), { name: 'QueryFailedError', driverError: driver });
    expect(databaseErrorCodes(typeorm)).toEqual(['40P01']);
    expect(databaseErrorCodes(Object.assign(new Error('x'), { code: '40001', driverError: driver }))).toEqual(['40001', '40P01']);
    expect(databaseErrorCodes(new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }))).toEqual(['ECONNREFUSED']);
    expect(databaseErrorCodes(Object.assign(new Error('x'), { code: 5, driverError: { code: 'SQLITE_BUSY' } }))).toEqual(['SQLITE_BUSY']);
  });

  it('gives nothing for a value that is not an object, and stops a few levels deep', () => {
    expect(databaseErrorCodes(null)).toEqual([]);
    expect(databaseErrorCodes('SQLITE_BUSY')).toEqual([]);
    const nested = (depth: number): object => (depth === 0 ? { code: 'deep' } : { cause: nested(depth - 1) });
    expect(databaseErrorCodes(nested(3))).toEqual(['deep']);
    expect(databaseErrorCodes(nested(4))).toEqual([]);
  });
});
