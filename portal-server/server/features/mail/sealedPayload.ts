/**
 * A queued mail's payload (link token, Registration ID, recovery code…) is sealed with AES-256-GCM
 * before it is written, so neither the database pages nor the SQLite WAL ever hold it in clear;
 * the dispatcher opens it just before rendering and drops the ciphertext when the mail is done.
 *
 * Key: HKDF-SHA256 from the server's SECRET with a purpose label (a copied database without the
 * secret opens nothing). A random 96-bit nonce per value. The row id and template are the
 * additional data, so a sealed payload cannot be moved onto another row.
 * Stored as `v1.<nonce>.<tag>.<ciphertext>` (base64url).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const PURPOSE = 'portal mail outbox payload v1';
const keys = new Map<string, Buffer>();

function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), PURPOSE, 32));
    keys.set(secret, key);
  }
  return key;
}

const boundTo = (mail: { id: string; template: string }): Buffer => Buffer.from(`mail_outbox:${mail.id}:${mail.template}`);

export function sealMailPayload(secret: string, mail: { id: string; template: string }, payload: object): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), nonce);
  cipher.setAAD(boundTo(mail));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return [VERSION, nonce.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/**
 * The payload a template renders. Rows queued before sealing existed hold plain JSON and are
 * still sent; anything else that is not a sealed value of this row throws (the dispatcher then
 * retries and finally marks the mail failed).
 */
export function openMailPayload(secret: string, mail: { id: string; template: string; payload: string }): unknown {
  if (mail.payload.startsWith('{')) {
    return JSON.parse(mail.payload);
  }
  const [version, nonce, tag, ciphertext, ...rest] = mail.payload.split('.');
  if (version !== VERSION || !nonce || !tag || ciphertext === undefined || rest.length > 0) {
    throw new Error('The queued mail could not be read (unknown format).');
  }
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), Buffer.from(nonce, 'base64url'));
  decipher.setAAD(boundTo(mail));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8'));
  } catch {
    throw new Error('The queued mail could not be read (sealed with another secret, or altered).');
  }
}
