import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleConfigError, DEFAULT_CONSOLE_CONFIG, readConsoleConfig } from '../consoleConfig';
import { tempDir } from '../testSupport';
import { isAllowedExternalLink, isOwnRenderer } from '../windowPolicy';
import { FileSecretStore } from './secretStore';

const dirs: { remove(): void }[] = [];
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d.path;
};
afterEach(() => {
  for (const d of dirs.splice(0)) {
    d.remove();
  }
});

describe('FileSecretStore', () => {
  it('keeps secrets in a file only this account can read, and deletes them', async () => {
    const path = dir();
    const store = new FileSecretStore(path);
    expect(await store.get('device-token')).toBeNull();
    await Promise.all([store.set('a', 'one'), store.set('b', 'two')]);
    expect(statSync(join(path, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(await new FileSecretStore(path).get('a')).toBe('one');
    await store.delete('a');
    expect(await store.get('a')).toBeNull();
    expect(await store.get('b')).toBe('two');
  });

  it('stores what the codec makes of a value (safeStorage in the app)', async () => {
    const path = dir();
    const store = new FileSecretStore(path, 'secrets.enc.json', { encode: (v) => Buffer.from(v).toString('base64'), decode: (v) => Buffer.from(v, 'base64').toString() });
    await store.set('t', 'plain-token');
    expect(readFileSync(join(path, 'secrets.enc.json'), 'utf8')).not.toContain('plain-token');
    expect(await store.get('t')).toBe('plain-token');
  });
});

describe('console.json', () => {
  it('is written with the defaults on first run', () => {
    const path = dir();
    expect(readConsoleConfig(path)).toEqual(DEFAULT_CONSOLE_CONFIG);
    expect(JSON.parse(readFileSync(join(path, 'console.json'), 'utf8'))).toEqual(DEFAULT_CONSOLE_CONFIG);
  });

  it('reads a second desk’s settings and refuses broken ones by name', () => {
    const path = dir();
    writeFileSync(join(path, 'console.json'), JSON.stringify({ hostServer: false, serverUrl: 'https://portal.example.org/' }));
    expect(readConsoleConfig(path)).toEqual({ hostServer: false, port: 3000, serverUrl: 'https://portal.example.org' });
    writeFileSync(join(path, 'console.json'), JSON.stringify({ port: 'three thousand' }));
    expect(() => readConsoleConfig(path)).toThrow(ConsoleConfigError);
    writeFileSync(join(path, 'console.json'), '{ not json');
    expect(() => readConsoleConfig(path)).toThrow(/console\.json is not valid JSON/);
  });
});

describe('window policy', () => {
  const rendererFile = 'file:///opt/console/out/renderer/index.html';

  it('accepts IPC only from the console’s own renderer', () => {
    expect(isOwnRenderer('file:///opt/console/out/renderer/index.html', rendererFile)).toBe(true);
    expect(isOwnRenderer('file:///opt/console/out/renderer/index.html#/patients', rendererFile)).toBe(true);
    expect(isOwnRenderer('file:///etc/passwd', rendererFile)).toBe(false);
    expect(isOwnRenderer('file:///opt/console/out/renderer-evil/index.html', rendererFile)).toBe(false);
    expect(isOwnRenderer('https://evil.example/', rendererFile)).toBe(false);
    expect(isOwnRenderer(undefined, rendererFile)).toBe(false);
    expect(isOwnRenderer('http://localhost:5173/#/x', rendererFile, 'http://localhost:5173')).toBe(true);
    expect(isOwnRenderer('http://localhost:5174/', rendererFile, 'http://localhost:5173')).toBe(false);
  });

  it('opens only the clinic portal’s own http(s) pages in the system browser', () => {
    const portal = ['http://127.0.0.1:3000', 'https://portal.example-clinic.org'];
    expect(isAllowedExternalLink('https://portal.example-clinic.org/register', portal)).toBe(true);
    expect(isAllowedExternalLink('http://127.0.0.1:3000/', portal)).toBe(true);
    expect(isAllowedExternalLink('https://evil.example/', portal)).toBe(false);
    expect(isAllowedExternalLink('file:///etc/passwd', portal)).toBe(false);
    expect(isAllowedExternalLink('javascript:alert(1)', portal)).toBe(false);
    expect(isAllowedExternalLink('https://user:pw@portal.example-clinic.org/', portal)).toBe(false);
    expect(isAllowedExternalLink('https://portal.example-clinic.org.evil.example/', portal)).toBe(false);
  });
});
