import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PortalSettingsForm } from '../../shared/ipc/contract';
import type { StaffUserView } from '../../shared/domain/staff';
import { mailDirOf, readConfig } from '../../test/fixtures/portal';
import { readMails } from '../../test/fixtures/mail';
import type { SmtpCatcher } from '../../test/fixtures/smtpCatcher';
import { startSmtpCatcher } from '../../test/fixtures/smtpCatcher';
import { hostCertificateFiles, readHostCertificate } from '../hostCertificate';
import { FileSecretStore } from '../platform/secretStore';
import { SMTP_PASSWORD_KEY, readPortalSettings } from '../portalSettings';
import type { PortalRules } from './hostedPortal';
import type { TestCore } from '../testSupport';
import { TEST_STAFF, signInOffline, startTestCore } from '../testSupport';

const rules: PortalRules = { readConfig, mailDirOf, env: {} };
const host = { url: 'http://127.0.0.1:9', isSetUp: () => Promise.resolve(true), setupClinic: () => Promise.reject(new Error('unused')), setupEnrolment: () => Promise.reject(new Error('unused')) };
const ADMIN: StaffUserView = { ...TEST_STAFF, id: '44444444-4444-4444-8444-444444444444', username: 'admin1', role: 'admin' };

const blank: PortalSettingsForm = {
  publicUrl: '',
  host: '',
  port: null,
  tlsCert: '',
  tlsKey: '',
  trustProxy: '',
  plainHttpBehindProxy: false,
  smtpUrl: '',
  mailFrom: '',
  letDesksJoin: false,
  smtpPassword: '',
  clearSmtpPassword: false,
};

let smtp: SmtpCatcher;
beforeAll(async () => {
  smtp = await startSmtpCatcher();
});
afterAll(async () => {
  await smtp?.close();
});
const cores: TestCore[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) {
    await c.dispose();
  }
});

async function hostingDesk(signedInAs = ADMIN, options: { hosting?: boolean } = {}): Promise<TestCore> {
  const core = await startTestCore({ host: options.hosting === false ? null : host, portalRules: rules });
  cores.push(core);
  await signInOffline(core, undefined, signedInAs);
  return core;
}

const consoleJson = (core: TestCore) => (existsSync(join(core.dataDir, 'console.json')) ? readFileSync(join(core.dataDir, 'console.json'), 'utf8') : '');

describe('letting other desks join (issue 16 item 2)', () => {
  it('an admin on the hosting desk turns it on: the certificate is made and its fingerprint shown on the admin screen', async () => {
    const core = await hostingDesk();
    const before = await core.registry.invoke('server.current', undefined);
    expect(before).toMatchObject({ ok: true, value: { desksMayJoin: false, hostCertificateFingerprint: null } });
    const joined = await core.registry.invoke('portal.letDesksJoin', undefined);
    const fingerprint = readHostCertificate(core.dataDir)?.fingerprint256;
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(joined).toMatchObject({ ok: true, value: { letDesksJoin: true, hostCertificateFingerprint: fingerprint } });
    expect(await core.registry.invoke('server.current', undefined)).toMatchObject({ ok: true, value: { desksMayJoin: true, hostCertificateFingerprint: fingerprint } });
    expect(readPortalSettings(core.dataDir)).toEqual({ letDesksJoin: true });
  });

  it('is refused to a receptionist and on a desk that does not host; nothing is made or written', async () => {
    for (const core of [await hostingDesk(TEST_STAFF), await hostingDesk(ADMIN, { hosting: false })]) {
      const before = consoleJson(core);
      expect(await core.registry.invoke('portal.letDesksJoin', undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(existsSync(hostCertificateFiles(core.dataDir).dir)).toBe(false);
      expect(consoleJson(core)).toBe(before);
    }
  });

  it('is refused with the server\'s sentence when the saved settings would not start with TLS (plain http behind a proxy); nothing is made', async () => {
    const core = await hostingDesk();
    await core.registry.invoke('portal.saveSettings', { form: { ...blank, publicUrl: 'https://portal.example-clinic.org' } });
    const before = consoleJson(core);
    // PLAIN_HTTP_BEHIND_PROXY with TLS is refused by readConfig: turning on "desks may join" (TLS) must not save it.
    const saved = JSON.parse(before) as { portal: object };
    writeFileSync(join(core.dataDir, 'console.json'), JSON.stringify({ ...saved, portal: { ...saved.portal, host: '192.168.1.20', trustProxy: '192.168.1.1', plainHttpBehindProxy: true } }));
    const edited = consoleJson(core);
    expect(await core.registry.invoke('portal.letDesksJoin', undefined)).toMatchObject({ ok: false, error: { code: 'validation_failed', message: /PLAIN_HTTP_BEHIND_PROXY=1 is only for/ } });
    expect(consoleJson(core)).toBe(edited);
    expect(existsSync(hostCertificateFiles(core.dataDir).dir)).toBe(false);
  });
});

describe('the "Portal server" settings (issue 16 item 4)', () => {
  it('refuses what the portal server refuses, with its sentence, and changes nothing (settings nor password)', async () => {
    const core = await hostingDesk();
    const before = consoleJson(core);
    const secrets = new FileSecretStore(core.dataDir);
    const refused: [Partial<PortalSettingsForm>, RegExp][] = [
      [{ host: '0.0.0.0' }, /Refusing to listen on 0\.0\.0\.0 without TLS/],
      [{ publicUrl: 'http://portal.example.org' }, /PUBLIC_URL/],
      [{ trustProxy: 'true' }, /TRUST_PROXY must name the proxy/],
      [{ tlsCert: '/nowhere/cert.pem', tlsKey: '/nowhere/key.pem' }, /does not exist/],
      [{ smtpUrl: 'smtp://desk:secret@mail.example.org' }, /Leave the password out/],
    ];
    for (const [fields, message] of refused) {
      const result = await core.registry.invoke('portal.saveSettings', { form: { ...blank, ...fields, smtpPassword: 'new-password' } });
      expect(result, JSON.stringify(fields)).toMatchObject({ ok: false, error: { code: 'validation_failed', message } });
      expect(consoleJson(core)).toBe(before);
      expect(await secrets.get(SMTP_PASSWORD_KEY)).toBeNull();
    }
  });

  it('saves them, the SMTP password only in the protected store, and "Send test email" goes through that SMTP server', async () => {
    const core = await hostingDesk();
    const form = { ...blank, publicUrl: 'https://portal.example-clinic.org', smtpUrl: smtp.url('frontdesk'), mailFrom: 'desk@example-clinic.org', smtpPassword: 'Kettle pass 9' };
    const saved = await core.registry.invoke('portal.saveSettings', { form });
    expect(saved).toMatchObject({ ok: true, value: { smtpUrl: form.smtpUrl, mailFrom: form.mailFrom, smtpPasswordSaved: true, mailFolder: null } });
    expect(consoleJson(core)).not.toContain('Kettle pass 9');
    expect(JSON.stringify(saved)).not.toContain('Kettle pass 9');

    expect(await core.registry.invoke('portal.sendTestEmail', { to: 'not an address' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(smtp.mails).toHaveLength(0);
    expect(await core.registry.invoke('portal.sendTestEmail', { to: 'alex@example-clinic.org' })).toEqual({ ok: true, value: { sent: true, mailFolder: null } });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toMatchObject({ user: 'frontdesk', password: 'Kettle pass 9', from: 'desk@example-clinic.org', to: ['alex@example-clinic.org'] });
    expect(smtp.mails[0]?.data).toMatch(/Subject: Test email from the clinic portal/);

    // Saved again with a blank password field: the saved password is kept.
    await core.registry.invoke('portal.saveSettings', { form: { ...form, smtpPassword: '' } });
    expect(await new FileSecretStore(core.dataDir).get(SMTP_PASSWORD_KEY)).toBe('Kettle pass 9');
  });

  it('without an SMTP address, "Send test email" says the mail went to a folder, and it is there', async () => {
    const core = await hostingDesk();
    const view = await core.registry.invoke('portal.settings', undefined);
    const folder = mailDirOf({ dataDir: join(core.dataDir, 'portal') } as Parameters<typeof mailDirOf>[0]);
    expect(view).toMatchObject({ ok: true, value: { smtpUrl: '', mailFolder: folder } });
    expect(await core.registry.invoke('portal.sendTestEmail', { to: 'alex@example-clinic.org' })).toEqual({ ok: true, value: { sent: false, mailFolder: folder } });
    const mails = await readMails(folder);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: 'alex@example-clinic.org', subject: 'Test email from the clinic portal' });
  });

  it('an SMTP server that does not answer is a plain sentence, not "sent"', async () => {
    const core = await hostingDesk();
    await core.registry.invoke('portal.saveSettings', { form: { ...blank, smtpUrl: 'smtp://desk@127.0.0.1:9' } });
    expect(await core.registry.invoke('portal.sendTestEmail', { to: 'alex@example-clinic.org' })).toMatchObject({ ok: false, error: { message: /The test email could not be sent/ } });
  });
});
