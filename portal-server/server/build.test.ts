// The production artefact: `node scripts/build-portal-server.mjs` (part of `npm run build`) makes plain
// JavaScript that runs with `node` alone and needs only runtime dependencies.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '../..');
const bundle = join(root, 'out/portal-server/main.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('built portal server', () => {
  it('builds, needs only runtime dependencies, and answers /healthz when run with plain node', async () => {
    const built = spawnSync(process.execPath, [join(root, 'scripts/build-portal-server.mjs')], { cwd: root, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);

    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const code = readFileSync(bundle, 'utf8');
    const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] ?? ''));
    const packages = [...required]
      .filter((name) => !name.startsWith('node:') && !builtinModules.includes(name))
      .map((name) => (name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : (name.split('/')[0] ?? name)));
    expect(packages.length).toBeGreaterThan(0);
    expect(packages.filter((name) => !(name in pkg.dependencies))).toEqual([]);

    // Files the bundled code finds beside itself (`join(__dirname, …)`, e.g. the letters' PDF font)
    // must be beside the bundle too: npm packages come from node_modules, our own files do not.
    const besideBundle = [...code.matchAll(/\(__dirname,((?:\s*"[^"]+",?)+)\)/g)].map((m) => join(dirname(bundle), ...[...(m[1] ?? '').matchAll(/"([^"]+)"/g)].map((p) => p[1] ?? '')));
    expect(besideBundle.length).toBeGreaterThan(0);
    expect(besideBundle.filter((file) => !existsSync(file))).toEqual([]);

    const dataDir = mkdtempSync(join(tmpdir(), 'built-portal-'));
    dirs.push(dataDir);
    const child = spawn(process.execPath, [bundle, 'serve'], {
      cwd: dataDir,
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_REQUESTS: '0' },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no listening line within 20 s: ${out}`)), 20_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1] ?? '');
          }
        });
        child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('exit', (c) => reject(new Error(`server exited ${c}: ${out}`)));
      });
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});
