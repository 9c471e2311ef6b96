import { describe, expect, it } from 'vitest';
import { canonicalJson, intentHash } from './intent';

describe('intent hash', () => {
  it('ignores key order at every depth but not array order, values or the args version', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"x":0,"y":1}]},"b":1}');
    const base = { name: 'updatePatient' as const, argsVersion: 2 as const, args: { patientId: 'p', baseVersion: 1, changes: { email: 'a@x', phone: '1' } } };
    const same = { ...base, args: { changes: { phone: '1', email: 'a@x' }, baseVersion: 1, patientId: 'p' } };
    expect(intentHash(same)).toBe(intentHash(base));
    expect(intentHash(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(intentHash({ ...base, argsVersion: 1 })).not.toBe(intentHash(base));
    expect(intentHash({ ...base, args: { ...base.args, changes: { email: 'b@x', phone: '1' } } })).not.toBe(intentHash(base));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});
