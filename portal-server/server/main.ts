/**
 * `npm run portal` (serve), `npm run portal:setup` (first-run clinic + admin) and `npm run demo`.
 * Configuration comes from the environment (README "Configuration").
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { DomainError } from '../../shared/api/errors';
import { ConfigError, readConfig } from './config';
import type { PortalConfig } from './config';
import { DEMO, seedDemo } from './demo';
import { backupCommand, restoreCommand } from './features/backup/commands';
import { DataFolderInUse } from './features/backup/dataFolderLock';
import { askHidden } from './hiddenPrompt';
import { startPortalServer } from './index';
import type { PortalHandle } from './index';

function fail(message: string): never {
  console.error(`\n${message}\n`);
  process.exit(1);
}

function stopOnSignal(handle: PortalHandle): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    handle.context.logger.info('stopping: finishing requests in flight');
    void handle.close().then(
      () => process.exit(0),
      (err: unknown) => {
        handle.context.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function serve(config: PortalConfig): Promise<void> {
  const handle = await startPortalServer(config);
  const { logger } = handle.context;
  logger.info({ url: handle.url, publicUrl: handle.context.publicUrl, dataDir: config.dataDir, mail: config.smtpUrl ? 'smtp' : handle.mailDir }, `Patient portal listening on ${handle.url}`);
  if (!config.smtpUrl) {
    logger.warn({ mailDir: handle.mailDir }, 'Mail is not emailed: outgoing mail is not set up (SMTP_URL), so each email is written to the mail folder');
  }
  if (!(await handle.isSetUp())) {
    logger.warn('This portal has no clinic yet: run `npm run portal:setup` (or set it up from the staff console).');
  }
  stopOnSignal(handle);
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function setup(config: PortalConfig, args: string[]): Promise<void> {
  const rl = process.stdin.isTTY ? createInterface({ input: process.stdin, output: process.stdout }) : null;
  const ask = async (name: string, question: string, fallback?: string): Promise<string> => {
    const given = flag(args, name);
    if (given !== undefined) {
      return given;
    }
    if (!rl) {
      fail(`Missing --${name}. Run: npm run portal:setup -- --name "…" --phone "…" --address "…" --time-zone America/New_York --admin-username … --admin-name "…" --admin-password …`);
    }
    const answer = (await rl.question(`${question}${fallback ? ` [${fallback}]` : ''}: `)).trim();
    return answer || fallback || '';
  };
  const form = {
    name: await ask('name', 'Clinic name'),
    phone: await ask('phone', 'Clinic phone'),
    address: await ask('address', 'Clinic address'),
    timeZone: await ask('time-zone', 'Time zone', Intl.DateTimeFormat().resolvedOptions().timeZone),
    adminUsername: await ask('admin-username', 'Admin username'),
    adminDisplayName: await ask('admin-name', 'Admin display name'),
    adminPassword: flag(args, 'admin-password') ?? '',
  };
  rl?.close();
  if (!form.adminPassword) {
    if (!process.stdin.isTTY) {
      fail('Missing --admin-password. Run it in a terminal without --admin-password to be asked for it without echo.');
    }
    // Asked last, on its own prompt that does not show what is typed.
    form.adminPassword = await askHidden(process.stdin, process.stdout, 'Admin password (hard to guess: a few unrelated words, 8+ characters with a number and a capital letter; not shown as you type): ');
  }
  const handle = await startPortalServer({ ...config, port: 0, host: '127.0.0.1', logRequests: false }, () => undefined);
  try {
    // New clinics require a second factor for admins (issue 13): the first admin sets it up now.
    const enrolment = await handle.setupEnrolment(form);
    console.log(`
Administrators sign in with their password and a code from an authenticator app.
Add this account to the app (most apps accept the link, or type the key):

  ${enrolment.otpauthUri}
  Key: ${enrolment.secret}
`);
    let code = flag(args, 'admin-code');
    if (code === undefined) {
      if (!process.stdin.isTTY) {
        fail('Missing --admin-code. Run it in a terminal to be shown the key and asked for the code.');
      }
      const prompt = createInterface({ input: process.stdin, output: process.stdout });
      code = (await prompt.question('Code from the authenticator app: ')).trim();
      prompt.close();
    }
    const { recoveryCodes } = await handle.setupClinic(form, { secret: enrolment.secret, code });
    console.log(`Clinic "${form.name}" created with admin ${form.adminUsername}; a second factor is required for admins.`);
    if (recoveryCodes) {
      console.log(`\nRecovery codes (each signs in once instead of an app code; write them down now, they are not shown again):\n  ${recoveryCodes.join('\n  ')}\n`);
    }
    console.log('Start the server with: npm run portal');
  } finally {
    await handle.close();
  }
}

async function demo(env: NodeJS.ProcessEnv): Promise<void> {
  const config = readConfig({ ...env, PORT: env.PORT ?? '3100' }, { dataDir: resolve(env.DATA_DIR ?? 'demo-data') });
  const handle = await startPortalServer(config, () => undefined);
  const letterFile = join(config.dataDir, 'letters', 'robert-chen-invitation-letter.pdf');
  const seeded = await seedDemo(handle.context, letterFile);
  await handle.flushMail();
  const mails = readdirSync(handle.mailDir).filter((f) => f.endsWith('.eml')).sort();
  const invitation = mails.at(-1);
  const pad = (s: string): string => s.padEnd(34);
  console.log(`
Demo clinic "${DEMO.clinic.name}" ${seeded ? 'created' : 'reopened (state kept from the last run)'} in ${config.dataDir}

  Patient portal:  ${handle.url}
  Staff console:   npm start, then connect to ${handle.url}

  Staff sign-ins
    ${pad(`${DEMO.admin.displayName} (admin)`)}${DEMO.admin.username} / ${DEMO.admin.password}
${DEMO.staff.map((s) => `    ${pad(`${s.displayName} (${s.role})`)}${s.username} / ${s.password}`).join('\n')}

  Patient sign-ins
${DEMO.registered.map((p) => `    ${pad(`${p.givenName} ${p.familyName}`)}${p.username} / ${p.password}`).join('\n')}

  Invited, not registered yet: ${DEMO.invited.givenName} ${DEMO.invited.familyName}, born 04/12/1986, ${DEMO.invited.email}
  Her invitation email: ${invitation ? join(handle.mailDir, invitation) : '(none delivered yet)'}${config.smtpUrl ? '' : `
    Not emailed: outgoing mail is not set up (no SMTP_URL), so mail is written to that folder
    and the staff console shows "Not emailed: outgoing mail is not set up" on her invitation.`}
  Open it, follow "Continue Registration" and register with the Registration ID it shows.

  Invited by letter (no email): ${DEMO.invitedByLetter.givenName} ${DEMO.invitedByLetter.familyName}, born 09/30/1975, ${DEMO.invitedByLetter.phone}
  His invitation letter: ${existsSync(letterFile) ? letterFile : '(not written)'}
  On Sign In choose "Have a Registration ID? Register here" and use the Registration ID in the letter.

Press Ctrl-C to stop.`);
  stopOnSignal(handle);
}

async function main(): Promise<void> {
  const [command = 'serve', ...args] = process.argv.slice(2);
  try {
    if (command === 'demo') {
      await demo(process.env);
      return;
    }
    const config = readConfig(process.env);
    if (command === 'setup') {
      await setup(config, args);
    } else if (command === 'serve') {
      await serve(config);
    } else if (command === 'backup') {
      process.exitCode = await backupCommand(config, process.env);
    } else if (command === 'restore') {
      process.exitCode = await restoreCommand(config, args);
    } else {
      fail(`Unknown command "${command}". Use serve, setup, demo, backup or restore.`);
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DomainError || err instanceof DataFolderInUse) {
      const fields = err instanceof DomainError && err.fields ? `\n${Object.entries(err.fields).map(([k, v]) => `  ${k}: ${v}`).join('\n')}` : '';
      fail(`${err.message}${fields}`);
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      fail(`Port ${process.env.PORT ?? ''} is already in use. Set PORT to a free port.`);
    }
    throw err;
  }
}

void main();
