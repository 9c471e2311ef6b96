/**
 * The Dockerfile and docker-compose.yml are UNTESTED (no Docker engine here). What can be checked
 * without one is checked here: they say so at the top; the environment they give the server is
 * one the server's own readConfig accepts (a container must listen beyond loopback, which the
 * server refuses unless told a TLS proxy is in front); the image runs and copies what the build
 * makes. Nothing here builds or runs an image.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../portal-server/server/config';

const dockerfile = readFileSync(resolve('Dockerfile'), 'utf8');
const compose = readFileSync(resolve('docker-compose.yml'), 'utf8');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The Dockerfile's ENV settings (`ENV A=1 \ B=2` form), later ones winning. */
function dockerfileEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  const joined = dockerfile.replace(/\\\n/g, ' ');
  for (const line of joined.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const [, key, value] of line.slice(4).matchAll(/(\w+)=(\S+)/g)) {
      env[key ?? ''] = value ?? '';
    }
  }
  return env;
}

/** The `environment:` mapping of one compose service (this file's simple `KEY: value` lines), with ${VAR…} from `dotEnv`. */
function composeEnv(service: string, dotEnv: Record<string, string>): Record<string, string> {
  const lines = compose.split('\n');
  const start = lines.indexOf(`  ${service}:`);
  expect(start).toBeGreaterThan(-1);
  const env: Record<string, string> = {};
  let inEnvironment = false;
  for (const line of lines.slice(start + 1)) {
    if (/^ {2}\S/.test(line) || /^\S/.test(line)) {
      break;
    }
    if (/^ {4}\S/.test(line)) {
      inEnvironment = line.trim() === 'environment:';
      continue;
    }
    const m = /^ {6}(\w+): (.*)$/.exec(line);
    if (inEnvironment && m) {
      const value = (m[2] ?? '').replace(/^"(.*)"$/, '$1').replace(/\$\{(\w+)(?::[?-][^}]*)?\}/g, (_, name: string) => {
        const v = dotEnv[name];
        if (v === undefined) {
          throw new Error(`docker-compose.yml needs ${name}`);
        }
        return v;
      });
      env[m[1] ?? ''] = value;
    }
  }
  return env;
}

const DOT_ENV = {
  PORTAL_SECRET: 'a'.repeat(48),
  POSTGRES_PASSWORD: 'b'.repeat(24),
  PUBLIC_URL: 'https://portal.example-clinic.org',
  SMTP_URL: 'smtps://user:password@mail.example-clinic.org',
  MAIL_FROM: 'portal@example-clinic.org',
};

describe('Dockerfile and docker-compose.yml (untested: no Docker engine here)', () => {
  it('say at the top that they are untested', () => {
    expect(dockerfile.split('\n')[0]).toMatch(/^# UNTESTED/);
    expect(compose.split('\n')[0]).toMatch(/^# UNTESTED/);
  });

  it("give the server an environment its own rules accept, and the image's alone is refused", () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'container-env-'));
    dirs.push(dataDir);
    const env = { ...dockerfileEnv(), ...composeEnv('portal', DOT_ENV) };
    expect(env.HOST).toBe('0.0.0.0');
    const config = readConfig({ ...env, DATA_DIR: dataDir });
    expect(config).toMatchObject({ host: '0.0.0.0', port: 3000, plainHttpBehindProxy: true, trustProxy: '172.30.80.1', secret: DOT_ENV.PORTAL_SECRET });
    expect(config.databaseUrl).toBe(`postgres://portal:${DOT_ENV.POSTGRES_PASSWORD}@postgres:5432/portal`);
    // The trusted proxy is the compose network's gateway (the host's proxy reaches the container through it).
    expect(compose).toContain(`gateway: ${config.trustProxy ?? ''}`);
    // `docker run` with the image's settings only (no proxy named) stops with the reason, as the Dockerfile says.
    expect(() => readConfig({ ...dockerfileEnv(), DATA_DIR: dataDir })).toThrow(/TRUST_PROXY|PUBLIC_URL/);
  });

  it('runs and copies what the build makes', () => {
    const build = readFileSync(resolve('scripts/build-portal-server.mjs'), 'utf8');
    const web = readFileSync(resolve('vite.portal.config.mts'), 'utf8');
    expect(build).toContain("'out/portal-server/main.js'");
    expect(web).toMatch(/out\/portal-web/);
    expect(dockerfile).toContain('CMD ["node", "out/portal-server/main.js", "serve"]');
    expect(dockerfile).toContain('COPY --from=build /src/out/portal-server ./out/portal-server');
    expect(dockerfile).toContain('COPY --from=build /src/out/portal-web ./out/portal-web');
    expect(dockerfile).toContain('RUN npm ci --omit=dev');
    // The build stage runs the same scripts `npm run build` runs for the server.
    const scripts = (JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toContain('npm run build:portal-web');
    expect(scripts.build).toContain('npm run build:portal-server');
    expect(dockerfile).toContain('RUN npm run build:portal-web && npm run build:portal-server');
  });
});
