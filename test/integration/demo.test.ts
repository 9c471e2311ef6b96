import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMails } from '../fixtures/mail';

const root = resolve(__dirname, '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'demo-test-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs `npm run demo`'s script until it is ready; returns what it printed. */
function startDemo(): Promise<{ child: ChildProcess; output: string }> {
  const child = spawn(process.execPath, [join(root, 'scripts/portal.mjs'), 'demo'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', DISPLAY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolvePromise({ child, output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolvePromise) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolvePromise(code));
    child.kill('SIGINT');
  });
}

describe('npm run demo', () => {
  it('starts a seeded demo clinic in its own folder, prints the sign-ins and the invitation, stops cleanly, and keeps its state', async () => {
    const first = await startDemo();
    expect(first.output).toContain('created in');
    for (const text of ['clinicadmin / Admin2Go', 'frontdesk1 / Desk2Work', 'drpatel1 / Heal2Day', 'JamesWalker1 / Portal2Go', 'AnaSilva22 / Portal2Go', 'Maria Lopez, born 04/12/1986']) {
      expect(first.output).toContain(text);
    }
    const url = /Patient portal:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(first.output)?.[1] ?? '';
    const health = (await (await fetch(`${url}/healthz`)).json()) as { setUp: boolean };
    expect(health.setUp).toBe(true);

    const emlPath = /Her invitation email: (\S+\.eml)/.exec(first.output)?.[1] ?? '';
    expect(existsSync(emlPath)).toBe(true);
    const mails = await readMails(dirname(emlPath));
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toBe('maria.lopez@example.com');
    expect(mails[0]?.registrationId).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(mails[0]?.link).toContain(`${url}/register#token=`);
    // Robert Chen has no email: his letter's PDF is printed beside Maria's email, and its ID registers him.
    expect(first.output).toContain('Robert Chen, born 09/30/1975');
    const letterPath = /His invitation letter: (\S+\.pdf)/.exec(first.output)?.[1] ?? '';
    expect(existsSync(letterPath)).toBe(true);
    const letter = execFileSync('pdftotext', [letterPath, '-'], { encoding: 'utf8' });
    expect(letter).toContain('Riverside Family Clinic');
    const robertId = /Your Registration ID:\s*([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(letter)?.[1] ?? '';
    expect(robertId).not.toBe('');
    const robert = await fetch(`${url}/api/registration/by-registration-id`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ username: 'RobertChen75', password: 'Password1', confirmPassword: 'Password1', question1: 'first-pet', answer1: 'Rex', question2: 'birth-city', answer2: 'Springfield', dateOfBirth: '09/30/1975', registrationId: robertId }),
    });
    expect(robert.status).toBe(201);
    // The demo patients can sign in.
    const signIn = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'JamesWalker1', password: 'Portal2Go' }) });
    expect(signIn.status).toBe(200);

    expect(await stop(first.child)).toBe(0);

    const second = await startDemo();
    expect(second.output).toContain('reopened (state kept from the last run)');
    expect(await readMails(dirname(emlPath))).toHaveLength(1);
    expect(await stop(second.child)).toBe(0);
  });
});
