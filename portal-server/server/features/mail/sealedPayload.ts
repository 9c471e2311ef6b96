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

/** One key per purpose label: a value sealed for one purpose never opens as another. */
function keyOf(secret: string, purpose: string): Buffer {
  const id = `${purpose}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), purpose, 32));
    keys.set(id, key);
  }
  return key;
}

/** Seals `plain` under the purpose's key, bound to `boundTo` (additional data): `v1.<nonce>.<tag>.<ciphertext>`. */
export function sealValue(secret: string, purpose: string, boundTo: string, plain: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret, purpose), nonce);
  cipher.setAAD(Buffer.from(boundTo));
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, nonce.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** Opens a value sealValue made for this purpose and binding; throws on anything else. */
export function openValue(secret: string, purpose: string, boundTo: string, sealed: string): string {
  const [version, nonce, tag, ciphertext, ...rest] = sealed.split('.');
  if (version !== VERSION || !nonce || !tag || ciphertext === undefined || rest.length > 0) {
    throw new Error('The sealed value could not be read (unknown format).');
  }
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secret, purpose), Buffer.from(nonce, 'base64url'));
  decipher.setAAD(Buffer.from(boundTo));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('The sealed value could not be read (sealed with another secret, or altered).');
  }
}

const boundTo = (mail: { id: string; template: string }): string => `mail_outbox:${mail.id}:${mail.template}`;

export function sealMailPayload(secret: string, mail: { id: string; template: string }, payload: object): string {
  return sealValue(secret, PURPOSE, boundTo(mail), JSON.stringify(payload));
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
  try {
    return JSON.parse(openValue(secret, PURPOSE, boundTo(mail), mail.payload));
  } catch (err) {
    const unknownFormat = err instanceof Error && err.message.includes('unknown format');
    throw new Error(unknownFormat ? 'The queued mail could not be read (unknown format).' : 'The queued mail could not be read (sealed with another secret, or altered).', { cause: err });
  }
}
