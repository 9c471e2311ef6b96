import { describe, expect, it } from 'vitest';
import { openMailPayload, sealMailPayload } from './sealedPayload';

const SECRET = 'a-server-secret-of-at-least-32-characters';
const row = { id: '6f1c2d3e-0000-4000-8000-000000000001', template: 'recoveryCode' };
const payload = { clinicName: 'Demo', clinicPhone: '555', kind: 'password', code: '123456', minutes: 15 };

describe('sealed mail payloads', () => {
  it('round-trips, holds nothing of the payload in clear, and uses a new nonce each time', () => {
    const sealed = sealMailPayload(SECRET, row, payload);
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(sealed).not.toContain('123456');
    expect(sealed).not.toContain('Demo');
    expect(openMailPayload(SECRET, { ...row, payload: sealed })).toEqual(payload);
    expect(sealMailPayload(SECRET, row, payload)).not.toBe(sealed);
  });

  it('refuses another secret, another row, another template and any altered byte', () => {
    const sealed = sealMailPayload(SECRET, row, payload);
    const [v, nonce, tag, ct] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const cases = [
      () => openMailPayload(`${SECRET}-other`, { ...row, payload: sealed }),
      () => openMailPayload(SECRET, { ...row, id: '6f1c2d3e-0000-4000-8000-000000000002', payload: sealed }),
      () => openMailPayload(SECRET, { ...row, template: 'passwordReset', payload: sealed }),
      () => openMailPayload(SECRET, { ...row, payload: [v, nonce, tag, flipped.toString('base64url')].join('.') }),
      () => openMailPayload(SECRET, { ...row, payload: ['v2', nonce, tag, ct].join('.') }),
    ];
    for (const open of cases) {
      expect(open).toThrow(/could not be read/);
    }
  });

  it('still opens a plain JSON payload queued before sealing existed', () => {
    expect(openMailPayload(SECRET, { ...row, payload: JSON.stringify(payload) })).toEqual(payload);
  });
});
