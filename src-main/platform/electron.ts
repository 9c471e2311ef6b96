import { safeStorage, shell } from 'electron';
import { chooseSecretStore } from './keyStore';
import type { ChosenSecretStore } from './keyStore';

/**
 * The device token encrypted with the operating system's key store (Keychain, DPAPI, libsecret,
 * KWallet) through Electron's asynchronous safeStorage API, kept in a 0600 file in the user-data
 * folder. The choice (and the warning when there is no real key store) is made in keyStore.ts.
 */
export function createElectronSecretStore(userDataDir: string, log: (line: string) => void): Promise<ChosenSecretStore> {
  return chooseSecretStore({ dir: userDataDir, keyStore: safeStorage, platform: process.platform, log });
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
