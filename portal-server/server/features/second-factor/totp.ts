/**
 * RFC 6238 codes through otplib 13's functional API: 6 digits, 30-second steps, SHA-1 (what
 * authenticator apps expect). Only the server checks codes, on its own clock: a console's clock
 * never matters.
 */
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

export const TOTP_PERIOD_SECONDS = 30;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function otpauthUri(secret: string, issuer: string, account: string): string {
  return generateURI({ secret, issuer, label: account });
}

/** The QR code of the otpauth URI as an SVG document (made here, so no renderer needs a library or a remote image). */
export function qrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/**
 * The 30-second step a code belongs to when it is right within ±1 step of `now` and newer than
 * `afterStep` (a code is accepted once, and never one older than the last accepted); else null.
 */
export async function acceptedStep(secret: string, code: string, now: Date, afterStep: number): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) {
    return null;
  }
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: TOTP_PERIOD_SECONDS,
    ...(afterStep > 0 ? { afterTimeStep: afterStep } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
