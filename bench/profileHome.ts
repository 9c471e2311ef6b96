/**
 * Where the time of a home view goes: the demo server in this process, James signed in, N
 * sequential GET /api/home on one keep-alive connection. Run with a CPU profile:
 *   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profileHome.ts
 * and read the profile with bench/readProfile.mjs. Not part of npm test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { DEMO, seedDemo } from '../portal-server/server/demo';
import { readConfig, startPortalServer } from '../portal-server/server/index';

const N = Number(process.env.PROFILE_REQUESTS ?? 2000);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'profile-home-'));
  const handle = await startPortalServer(readConfig({ ...process.env, DATA_DIR: dir, PORT: '0', LOG_REQUESTS: '0', LOG_LEVEL: 'warn' }));
  try {
    await seedDemo(handle.context);
    const james = DEMO.registered[0];
    const signIn = await fetch(`${handle.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: handle.url }, body: JSON.stringify({ username: james?.username, password: james?.password }) });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    // How many statements one home view runs (every sqlite3 call, the writer's and the readers').
    let statements = 0;
    const proto = sqlite3.Database.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    const originals = Object.fromEntries(['all', 'run', 'get', 'each', 'exec'].map((k) => [k, proto[k]]));
    for (const [k, f] of Object.entries(originals)) {
      proto[k] = function (this: unknown, ...args: unknown[]) {
        statements += 1;
        if (process.env.PROFILE_SHOW_SQL) {
          console.log(String(args[0]).slice(0, 160));
        }
        return f?.apply(this, args);
      };
    }
    await (await fetch(`${handle.url}/api/home`, { headers: { cookie } })).arrayBuffer();
    Object.assign(proto, originals);
    console.log(`GET /api/home runs ${statements} SQL statements`);
    const started = performance.now();
    for (let i = 0; i < N; i += 1) {
      const res = await fetch(`${handle.url}/api/home`, { headers: { cookie } });
      if (res.status !== 200) {
        throw new Error(`home answered ${res.status}`);
      }
      await res.arrayBuffer();
    }
    const ms = (performance.now() - started) / N;
    console.log(`GET /api/home: ${ms.toFixed(2)} ms each over ${N} sequential requests (client and server in one process)`);
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
