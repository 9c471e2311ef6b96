import { createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import { REGISTRATION_ID_ALPHABET, REGISTRATION_ID_LENGTH } from '../domain/invitation';

/** Secrets a person chooses (passwords, security answers): argon2id. */
export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
}

/** Security answers compare without regard to case or extra spaces. */
export function normaliseAnswer(answer: string): string {
  return answer.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Machine-made secrets (link tokens, Registration IDs, session ids, device tokens): HMAC-SHA-256 with the server's secret. */
export function keyedHash(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function newRegistrationId(): string {
  let id = '';
  for (let i = 0; i < REGISTRATION_ID_LENGTH; i += 1) {
    id += REGISTRATION_ID_ALPHABET[randomInt(REGISTRATION_ID_ALPHABET.length)];
  }
  return id;
}

export function newId(): string {
  return randomUUID();
}
