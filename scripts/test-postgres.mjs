#!/usr/bin/env node
/**
 * `npm run test:postgres`: the server, sync and security suites, and the two-instances-behind-nginx
 * test, against a real PostgreSQL.
 *
 * - PORTAL_TEST_POSTGRES_URL set: that server is used (a user that may create databases).
 * - Otherwise, where Debian's PostgreSQL is installed (/usr/lib/postgresql/<n>/bin), a throwaway
 *   cluster is made in a temp folder (initdb; as the `postgres` user when run as root), started on a
 *   free port on 127.0.0.1 only, and removed at the end — also when the tests fail or are stopped.
 * - Neither: says so and succeeds, unless CI=true or PORTAL_REQUIRE_POSTGRES=1 (then it fails:
 *   CI must always run this).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SUITES = ['portal-server', 'test/security', 'test/scaleout', 'src-main/sync', 'src-main/session', 'src-main/services'];

function postgresBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) {
    return null;
  }
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL tool, as the postgres user when this process is root (initdb refuses root). */
function pgTool(bin, tool, args) {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function throwawayCluster(bin) {
  const dir = mkdtempSync(join(tmpdir(), 'portal-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  let stopped = false;
  const stop = () => {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      pgTool(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Never started, or already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Removed however this process ends, also when initdb or the start fails (stop() is synchronous, as 'exit' needs).
  process.on('exit', stop);
  pgTool(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  // Loopback only, the socket in the temp folder; fsync off: a throwaway cluster need not survive a power cut.
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  pgTool(bin, 'pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}

async function main() {
  let url = process.env.PORTAL_TEST_POSTGRES_URL;
  if (!url) {
    const bin = postgresBin();
    if (!bin) {
      const required = process.env.CI === 'true' || process.env.PORTAL_REQUIRE_POSTGRES === '1';
      console.log(`PostgreSQL is not installed (apt-get install postgresql): the PostgreSQL suites are ${required ? 'required here' : 'skipped'}.`);
      process.exit(required ? 1 : 0);
    }
    console.log(`== a throwaway PostgreSQL cluster (${bin})`);
    url = (await throwawayCluster(bin)).url;
    for (const signal of ['SIGINT', 'SIGTERM']) {
      process.on(signal, () => process.exit(130));
    }
  }
  const args = ['vitest', 'run', ...SUITES, ...process.argv.slice(2)];
  console.log(`== npx ${args.join(' ')}  (PORTAL_TEST_DATABASE=postgres)`);
  const code = await new Promise((resolve) => {
    const child = spawn('npx', args, { stdio: 'inherit', env: { ...process.env, PORTAL_TEST_DATABASE: 'postgres', PORTAL_TEST_POSTGRES_URL: url } });
    child.on('exit', (c, signal) => resolve(signal ? 1 : (c ?? 1)));
  });
  process.exit(code);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
