import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ENCRYPTED_SECRETS_FILE, NO_KEY_STORE_WARNING, PLAIN_SECRETS_FILE, chooseSecretStore } from '../../src-main/platform/keyStore';
import type { OsKeyStore } from '../../src-main/platform/keyStore';
import { startTestCore, tempDir } from '../../src-main/testSupport';
import { devRendererUrl, lockDownContents, lockDownSession } from '../../src-main/windowPolicy';

/**
 * Red-team round two, item 13: the Electron shell. Electron itself cannot run here, so its
 * policies live in Electron-free modules (windowPolicy.ts, platform/keyStore.ts) that index.ts and
 * platform/electron.ts only wire up; these tests drive them with stand-ins of Electron's objects.
 */
const dirs: { remove(): void }[] = [];
const dir = (): string => {
  const d = tempDir('console-electron-');
  dirs.push(d);
  return d.path;
};
afterEach(() => {
  for (const d of dirs.splice(0)) {
    d.remove();
  }
});

/** A key store like safeStorage's asynchronous API; it has no synchronous methods to fall back on. */
function fakeKeyStore(backend: string, available = true): OsKeyStore & { calls: string[]; rotate: boolean } {
  const calls: string[] = [];
  const ks = {
    calls,
    rotate: false,
    isAsyncEncryptionAvailable: () => Promise.resolve(available),
    encryptStringAsync: (text: string) => {
      calls.push('encrypt');
      return Promise.resolve(Buffer.from(`sealed:${Buffer.from(text).toString('hex')}`));
    },
    decryptStringAsync: (sealed: Buffer) => {
      calls.push('decrypt');
      const text = Buffer.from(sealed.toString().replace(/^sealed:/, ''), 'hex').toString();
      return Promise.resolve({ result: text, shouldReEncrypt: ks.rotate });
    },
    getSelectedStorageBackend: () => backend,
  };
  return ks;
}

describe('ELECTRON_RENDERER_URL', () => {
  it('is ignored by a built console, so an environment variable cannot load another page with the IPC bridge', () => {
    expect(devRendererUrl(false, 'https://attacker.example/console')).toBeUndefined();
    expect(devRendererUrl(false, 'http://localhost:5173/')).toBeUndefined();
  });

  it('is honoured in development only for a dev server on this computer', () => {
    expect(devRendererUrl(true, 'http://localhost:5173/')).toBe('http://localhost:5173/');
    expect(devRendererUrl(true, 'http://127.0.0.1:5173')).toBe('http://127.0.0.1:5173/');
    expect(devRendererUrl(true, 'http://192.168.1.20:5173/')).toBeUndefined();
    expect(devRendererUrl(true, 'file:///tmp/evil.html')).toBeUndefined();
    expect(devRendererUrl(true, 'not a url')).toBeUndefined();
  });
});

describe('the device token and the OS key store', () => {
  it('on Linux without a keyring ("basic_text") is not pretended to be encrypted: plain 0600 file, a warning, and an old basic_text file removed', async () => {
    const path = dir();
    writeFileSync(join(path, ENCRYPTED_SECRETS_FILE), JSON.stringify({ token: 'djEwxxxx' }));
    const keys = fakeKeyStore('basic_text');
    const logged: string[] = [];
    const chosen = await chooseSecretStore({ dir: path, keyStore: keys, platform: 'linux', log: (l) => logged.push(l) });
    expect(chosen.protection).toBe('file-only');
    expect(chosen.warning).toBe(NO_KEY_STORE_WARNING);
    expect(existsSync(join(path, ENCRYPTED_SECRETS_FILE))).toBe(false);
    await chosen.store.set('token', 'device-token-1');
    expect(JSON.parse(readFileSync(join(path, PLAIN_SECRETS_FILE), 'utf8'))).toEqual({ token: 'device-token-1' });
    expect(keys.calls).toEqual([]);
    expect(logged.join('\n')).toMatch(/basic_text/);
  });

  it('with no key store at all says so too', async () => {
    const chosen = await chooseSecretStore({ dir: dir(), keyStore: fakeKeyStore('gnome_libsecret', false), platform: 'linux', log: () => undefined });
    expect([chosen.protection, chosen.warning]).toEqual(['file-only', NO_KEY_STORE_WARNING]);
  });

  it('with a real keyring encrypts through the asynchronous API and re-encrypts when the key store rotated its key', async () => {
    const path = dir();
    const keys = fakeKeyStore('gnome_libsecret');
    const chosen = await chooseSecretStore({ dir: path, keyStore: keys, platform: 'linux', log: () => undefined });
    expect([chosen.protection, chosen.warning]).toEqual(['os-key-store', null]);
    await chosen.store.set('token', 'device-token-2');
    expect(readFileSync(join(path, ENCRYPTED_SECRETS_FILE), 'utf8')).not.toContain('device-token-2');
    expect(existsSync(join(path, PLAIN_SECRETS_FILE))).toBe(false);
    keys.rotate = true;
    expect(await chosen.store.get('token')).toBe('device-token-2');
    expect(keys.calls).toEqual(['encrypt', 'decrypt', 'encrypt']);
    // macOS and Windows have no "backend" to ask: their key stores are used.
    expect((await chooseSecretStore({ dir: dir(), keyStore: fakeKeyStore('basic_text'), platform: 'darwin', log: () => undefined })).protection).toBe('os-key-store');
  });

  it('the warning reaches the console window with the app status, on the sign-in screen', async () => {
    const core = await startTestCore({ tokenProtectionWarning: NO_KEY_STORE_WARNING });
    try {
      expect((await core.services.auth.status()).tokenProtectionWarning).toBe(NO_KEY_STORE_WARNING);
    } finally {
      await core.close();
    }
    const protectedCore = await startTestCore({});
    try {
      expect((await protectedCore.services.auth.status()).tokenProtectionWarning).toBeUndefined();
    } finally {
      await protectedCore.close();
    }
  });
});

describe('web contents and session', () => {
  it('refuse navigation of the window and of every frame in it, redirects, webviews and new windows', () => {
    const contents = Object.assign(new EventEmitter(), { openHandler: null as null | (() => { action: string }), setWindowOpenHandler(h: () => { action: 'deny' }) { this.openHandler = h; } });
    lockDownContents(contents);
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      contents.emit(event, { preventDefault: () => (prevented = true), url: 'https://attacker.example/', isMainFrame: false });
      expect({ event, prevented }).toEqual({ event, prevented: true });
    }
    expect(contents.openHandler?.()).toEqual({ action: 'deny' });
  });

  it('grant no permission when asked, and answer no when a web API only checks', () => {
    let request: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | null = null;
    let check: ((c: unknown, p: string) => boolean) | null = null;
    lockDownSession({ setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) });
    for (const permission of ['media', 'clipboard-read', 'notifications', 'geolocation', 'hid', 'serial', 'usb', 'fileSystem']) {
      const answers: boolean[] = [];
      request!(null, permission, (granted) => answers.push(granted));
      expect({ permission, requested: answers, checked: check!(null, permission) }).toEqual({ permission, requested: [false], checked: false });
    }
  });
});
