import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSecretStore } from './platform/secretStore';
import { PortalSettingsError, SMTP_PASSWORD_KEY, ownPortalUrl, portalConfigOf, readPortalSettings, savePortalSettings } from './portalSettings';
import { readConsoleConfig } from './consoleConfig';
import { tempDir } from './testSupport';
import { readConfig } from '../test/fixtures/portal';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function desk() {
  const dir = tempDir('portal-settings-');
  dirs.push(dir);
  readConsoleConfig(dir.path); // first run writes the defaults
  return { dir: dir.path, secrets: new FileSecretStore(dir.path), file: () => readFileSync(join(dir.path, 'console.json'), 'utf8') };
}

describe('the hosted portal\'s settings', () => {
  it('refuses what the portal server refuses, with its sentence, and changes nothing', async () => {
    const d = desk();
    const before = d.file();
    const refused: [Parameters<typeof savePortalSettings>[2], RegExp][] = [
      [{ host: '0.0.0.0' }, /Refusing to listen on 0\.0\.0\.0 without TLS/],
      [{ trustProxy: 'true' }, /TRUST_PROXY must name the proxy/],
      [{ publicUrl: 'http://portal.example.org' }, /PUBLIC_URL/],
      [{ tlsCert: '/nowhere/cert.pem', tlsKey: '/nowhere/key.pem' }, /does not exist/],
      [{ smtpUrl: 'smtp://desk:secret@mail.example.org:587' }, /Leave the password out/],
      [{ smtpUrl: 'http://mail.example.org' }, /smtp:\/\//],
    ];
    for (const [settings, message] of refused) {
      const err = await savePortalSettings(readConfig, d.dir, settings, 'pw', d.secrets).then(() => null, (e: unknown) => e);
      expect(err, JSON.stringify(settings)).toBeInstanceOf(PortalSettingsError);
      expect((err as Error).message).toMatch(message);
      expect(d.file()).toBe(before);
      expect(await d.secrets.get(SMTP_PASSWORD_KEY)).toBeNull();
    }
  });

  it('saves the settings in console.json and the SMTP password only in the protected store; the portal gets both', async () => {
    const d = desk();
    const settings = { publicUrl: 'https://portal.example-clinic.org', smtpUrl: 'smtp://desk@mail.example.org:587', mailFrom: 'desk@example-clinic.org' };
    await savePortalSettings(readConfig, d.dir, settings, 'p@ss word', d.secrets);
    expect(readPortalSettings(d.dir)).toEqual(settings);
    expect(d.file()).not.toContain('p@ss word');
    expect(readConsoleConfig(d.dir).hostServer).toBe(true);
    const config = portalConfigOf(readConfig, readPortalSettings(d.dir), await d.secrets.get(SMTP_PASSWORD_KEY), { dataDir: d.dir });
    expect(config).toMatchObject({ publicUrl: settings.publicUrl, mailFrom: settings.mailFrom, host: '127.0.0.1' });
    expect(new URL(config.smtpUrl ?? '').password).toBe(encodeURIComponent('p@ss word'));
  });
});

describe('the hosting desk\'s own address for its portal', () => {
  it('a portal listening on every address is reached on loopback; any other address as it is', () => {
    expect(ownPortalUrl('https://0.0.0.0:3000')).toBe('https://127.0.0.1:3000');
    expect(ownPortalUrl('https://[::]:3000')).toBe('https://[::1]:3000');
    expect(ownPortalUrl('https://192.168.1.20:3000')).toBe('https://192.168.1.20:3000');
    expect(ownPortalUrl('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
  });
});
