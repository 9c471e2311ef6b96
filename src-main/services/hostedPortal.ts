import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { DomainError } from '../../shared/api/errors';
import type { PortalSettingsForm, PortalSettingsView, TestEmailResult } from '../../shared/ipc/contract';
import { emailSchema } from '../../shared/validation/fields';
import { readHostCertificate } from '../hostCertificate';
import type { SecretStore } from '../platform/secretStore';
import { PortalSettingsError, SMTP_PASSWORD_KEY, portalConfigOf, readPortalSettings, savePortalSettings } from '../portalSettings';
import type { PortalSettings, ReadPortalConfig } from '../portalSettings';
import type { Session } from '../session/session';

/** What the console needs of the portal server's configuration. */
export interface PortalConfigSeen {
  dataDir: string;
  smtpUrl?: string;
  mailFrom?: string;
  mailDir?: string;
}

/**
 * The portal server's own rules, handed in by index.ts (tests hand in the same functions): the
 * settings screen refuses what the server would refuse and finds mail where the server puts it.
 */
export interface PortalRules {
  readConfig: ReadPortalConfig<PortalConfigSeen>;
  mailDirOf(config: PortalConfigSeen): string;
  /** The environment the hosted portal starts with (the settings win over it). */
  env: NodeJS.ProcessEnv;
}

export interface HostedPortalDeps {
  dataDir: string;
  session: Session;
  secrets: SecretStore;
  hostsServer: boolean;
  rules: PortalRules | null;
}

const TEST_EMAIL = {
  subject: 'Test email from the clinic portal',
  text: 'This is a test email from your clinic\'s portal. Outgoing mail works: invitations and password emails will be sent the same way.\n',
};

/**
 * The "Portal server" screen of a hosting console (issue 16 items 2 and 4): admins only, on the
 * computer that hosts the portal. Settings are used from the console's next start.
 */
export class HostedPortalService {
  constructor(private readonly o: HostedPortalDeps) {}

  async settings(): Promise<PortalSettingsView> {
    await this.requireHostingAdmin();
    return this.view();
  }

  async save(form: PortalSettingsForm): Promise<PortalSettingsView> {
    const rules = await this.requireHostingAdmin();
    await this.saved(() =>
      savePortalSettings(rules.readConfig, this.o.dataDir, settingsOf(form), form.smtpPassword || null, this.o.secrets, { clearSmtpPassword: form.clearSmtpPassword }),
    );
    return this.view();
  }

  /** Turns "other desks may join" on, keeping every other setting: makes the certificate and shows its fingerprint. */
  async letDesksJoin(): Promise<PortalSettingsView> {
    const rules = await this.requireHostingAdmin();
    const current = readPortalSettings(this.o.dataDir);
    await this.saved(() => savePortalSettings(rules.readConfig, this.o.dataDir, { ...current, letDesksJoin: true }, null, this.o.secrets));
    return this.view();
  }

  /**
   * Sends a test email through the saved outgoing mail settings. Without an SMTP address the
   * portal writes every email into a folder instead; the test email goes there too, and the
   * result says so.
   */
  async sendTestEmail(to: string): Promise<TestEmailResult> {
    const rules = await this.requireHostingAdmin();
    let address: string;
    try {
      address = await emailSchema.validate(to.trim());
    } catch (err) {
      throw new DomainError('validation_failed', (err as Error).message, { to: (err as Error).message });
    }
    const config = await this.config(rules);
    const message = { from: { name: 'Clinic portal', address: config.mailFrom ?? 'no-reply@localhost' }, to: address, ...TEST_EMAIL };
    if (config.smtpUrl) {
      try {
        await nodemailer.createTransport(config.smtpUrl).sendMail(message);
      } catch (err) {
        const reason = err instanceof Error ? err.message.slice(0, 180) : 'unknown error';
        throw new DomainError('offline', `The test email could not be sent: ${reason}. Check the outgoing mail address, password and sender.`);
      }
      return { sent: true, mailFolder: null };
    }
    const folder = rules.mailDirOf(config);
    const info = await nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }).sendMail(message);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-test.eml`), info.message as Buffer, { mode: 0o600 });
    return { sent: false, mailFolder: folder };
  }

  private async config(rules: PortalRules): Promise<PortalConfigSeen> {
    const password = await this.o.secrets.get(SMTP_PASSWORD_KEY);
    try {
      return portalConfigOf(rules.readConfig, readPortalSettings(this.o.dataDir), password, { dataDir: join(this.o.dataDir, 'portal') }, rules.env);
    } catch (err) {
      throw new DomainError('validation_failed', err instanceof Error ? err.message : String(err));
    }
  }

  private async view(): Promise<PortalSettingsView> {
    const rules = this.o.rules as PortalRules;
    const s = readPortalSettings(this.o.dataDir);
    // Saved settings the environment makes invalid show no folder; saving them again says why.
    const config = await this.config(rules).catch(() => null);
    const mailFolder = config && !config.smtpUrl ? rules.mailDirOf(config) : null;
    return {
      publicUrl: s.publicUrl ?? '',
      host: s.host ?? '',
      port: s.port ?? null,
      tlsCert: s.tlsCert ?? '',
      tlsKey: s.tlsKey ?? '',
      trustProxy: s.trustProxy ?? '',
      plainHttpBehindProxy: s.plainHttpBehindProxy ?? false,
      smtpUrl: s.smtpUrl ?? '',
      mailFrom: s.mailFrom ?? '',
      letDesksJoin: s.letDesksJoin ?? false,
      smtpPasswordSaved: (await this.o.secrets.get(SMTP_PASSWORD_KEY)) !== null,
      mailFolder,
      hostCertificateFingerprint: readHostCertificate(this.o.dataDir)?.fingerprint256 ?? null,
    };
  }

  private async requireHostingAdmin(): Promise<PortalRules> {
    const s = await this.o.session.state();
    if (!s.signedIn || s.staff?.role !== 'admin') {
      throw new DomainError('forbidden', 'Only administrators can see and change the portal server settings.');
    }
    if (!this.o.hostsServer || !this.o.rules) {
      throw new DomainError('forbidden', 'This computer does not keep the clinic\'s records: the portal server settings are on the computer that does.');
    }
    return this.o.rules;
  }

  private async saved(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      if (err instanceof PortalSettingsError) {
        throw new DomainError('validation_failed', err.message);
      }
      throw err;
    }
  }
}

function settingsOf(form: PortalSettingsForm): PortalSettings {
  const text = (value: string) => (value.trim() === '' ? undefined : value.trim());
  const settings: PortalSettings = {
    publicUrl: text(form.publicUrl),
    host: text(form.host),
    port: form.port ?? undefined,
    tlsCert: text(form.tlsCert),
    tlsKey: text(form.tlsKey),
    trustProxy: text(form.trustProxy),
    plainHttpBehindProxy: form.plainHttpBehindProxy || undefined,
    smtpUrl: text(form.smtpUrl),
    mailFrom: text(form.mailFrom),
    letDesksJoin: form.letDesksJoin || undefined,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as PortalSettings;
}
