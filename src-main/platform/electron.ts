import { safeStorage, shell } from 'electron';
import { FileSecretStore } from './secretStore';
import type { SecretStore } from './secretStore';

/**
 * The device token encrypted with the operating system's key store (Keychain, DPAPI, libsecret)
 * through Electron's safeStorage, kept in a 0600 file in the user-data folder. Where no key store
 * is available, the plain 0600 file is the fallback, and the log says so.
 */
export function createElectronSecretStore(userDataDir: string, log: (line: string) => void): SecretStore {
  if (!safeStorage.isEncryptionAvailable()) {
    log('safeStorage is not available: the device token is kept in a file only this account can read.');
    return new FileSecretStore(userDataDir, 'secrets.json');
  }
  return new FileSecretStore(userDataDir, 'secrets.enc.json', {
    encode: (value) => safeStorage.encryptString(value).toString('base64'),
    decode: (stored) => safeStorage.decryptString(Buffer.from(stored, 'base64')),
  });
}

/** Opens a saved file (an invitation letter) in the system's viewer, from which staff print it. */
export function createElectronFileOpener(log: (line: string) => void): (file: string) => Promise<void> {
  return async (file) => {
    const problem = await shell.openPath(file);
    if (problem) {
      log(`Could not open ${file}: ${problem}`);
    }
  };
}
