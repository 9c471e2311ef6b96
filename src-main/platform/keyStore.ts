import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FileSecretStore } from './secretStore';
import type { SecretStore } from './secretStore';

/**
 * The part of Electron's safeStorage the console uses, so the choice below runs in Node tests.
 * Only the asynchronous API: the synchronous one is deprecated since Electron 45.
 */
export interface OsKeyStore {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only: which password store Chromium picked ("basic_text" means none). */
  getSelectedStorageBackend?(): string;
}

export type TokenProtection = 'os-key-store' | 'file-only';

export interface ChosenSecretStore {
  store: SecretStore;
  protection: TokenProtection;
  /** What the person at this computer is told when the token is not protected by the OS; null when it is. */
  warning: string | null;
}

export const ENCRYPTED_SECRETS_FILE = 'secrets.enc.json';
export const PLAIN_SECRETS_FILE = 'secrets.json';

export const NO_KEY_STORE_WARNING =
  "This computer has no password keyring the console can use, so this console's sign-in is kept in a file that only your computer account can read, not locked by the operating system. Ask whoever looks after your computers to set one up (on Linux: GNOME Keyring or KWallet).";

/**
 * Where the device token goes. With a real OS key store (Keychain, DPAPI, libsecret, KWallet) each
 * value is encrypted with it. On Linux without a keyring Chromium falls back to "basic_text",
 * which "encrypts" with a password compiled into every copy of Chromium: that protects nothing,
 * so the console does not pretend it does. It keeps the token in the plain 0600 file and warns.
 */
export async function chooseSecretStore(o: { dir: string; keyStore: OsKeyStore; platform: NodeJS.Platform; log: (line: string) => void }): Promise<ChosenSecretStore> {
  const available = await o.keyStore.isAsyncEncryptionAvailable().catch(() => false);
  const backend = o.platform === 'linux' ? (o.keyStore.getSelectedStorageBackend?.() ?? 'unknown') : null;
  if (!available || backend === 'basic_text') {
    o.log(
      backend === 'basic_text'
        ? 'safeStorage uses the "basic_text" backend (no keyring): the device token is kept in a file only this account can read, unencrypted.'
        : 'safeStorage is not available: the device token is kept in a file only this account can read.',
    );
    if (backend === 'basic_text') {
      // A token an earlier version "encrypted" with basic_text is readable by anyone with the file;
      // it goes, and the person signs in again (the console's outbox stays).
      await rm(join(o.dir, ENCRYPTED_SECRETS_FILE), { force: true });
    }
    return { store: new FileSecretStore(o.dir, PLAIN_SECRETS_FILE), protection: 'file-only', warning: NO_KEY_STORE_WARNING };
  }
  const keyStore = o.keyStore;
  return {
    store: new FileSecretStore(o.dir, ENCRYPTED_SECRETS_FILE, {
      encode: async (value) => (await keyStore.encryptStringAsync(value)).toString('base64'),
      decode: async (stored) => {
        const { result, shouldReEncrypt } = await keyStore.decryptStringAsync(Buffer.from(stored, 'base64'));
        return { value: result, reEncrypt: shouldReEncrypt };
      },
    }),
    protection: 'os-key-store',
    warning: null,
  };
}
