import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { acceptedStep, newTotpSecret, otpauthUri, qrSvg } from './totp';

/** The window is ±1 step of the server's clock; a step once accepted is never accepted again. */
describe('TOTP codes', () => {
  const secret = newTotpSecret();
  // The start of a 30-second step, so ±N steps are exact.
  const now = new Date(Math.floor(Date.UTC(2026, 11, 5, 9, 0, 0) / 30_000) * 30_000);
  const step = now.getTime() / 30_000;
  const codeAt = (offset: number) => generate({ secret, epoch: now.getTime() / 1000 + offset * 30 });

  it('accepts the codes of the step before, this one and the next, and no further', async () => {
    expect(await acceptedStep(secret, await codeAt(-1), now, 0)).toBe(step - 1);
    expect(await acceptedStep(secret, await codeAt(0), now, 0)).toBe(step);
    expect(await acceptedStep(secret, await codeAt(1), now, 0)).toBe(step + 1);
    expect(await acceptedStep(secret, await codeAt(-2), now, 0)).toBeNull();
    expect(await acceptedStep(secret, await codeAt(2), now, 0)).toBeNull();
  });

  it('refuses a step already used and any older one', async () => {
    expect(await acceptedStep(secret, await codeAt(0), now, step)).toBeNull();
    expect(await acceptedStep(secret, await codeAt(-1), now, step)).toBeNull();
    expect(await acceptedStep(secret, await codeAt(1), now, step)).toBe(step + 1);
  });

  it('refuses anything that is not six digits without looking further', async () => {
    for (const typed of ['', '12345', '1234567', 'abcdef', ' 123456']) {
      expect(await acceptedStep(secret, typed, now, 0)).toBeNull();
    }
  });

  it('makes an otpauth URI and an SVG QR code for authenticator apps', async () => {
    const uri = otpauthUri(secret, 'Maple Street Clinic', 'admin1');
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(uri).toContain(`secret=${secret}`);
    expect(await qrSvg(uri)).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });
});
