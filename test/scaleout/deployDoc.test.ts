/**
 * docs/deploy.md shows clinics "the configuration the multi-instance test runs": this keeps that
 * true. It reads the doc's nginx block and compares the settings it shares with the config
 * test/fixtures/nginx.ts gives the real nginx in twoInstances.test.ts (the `location /` directives,
 * the upstream's keepalive and per-server parameters, the body limit), and asks nginx whether the
 * documented block is valid as written (`nginx -t`, with a throwaway certificate in place of the
 * clinic's).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../faults/harness/processes';
import { NGINX, hasNginx, nginxConfig } from '../fixtures/nginx';

interface Directive {
  /** The blocks it sits in, outermost first, e.g. ['http', 'server', 'location /']. */
  path: string[];
  /** The directive with its arguments, whitespace collapsed: 'proxy_buffering off'. */
  text: string;
}

/** The directives of an nginx config with the blocks around each (comments dropped; `;{}` inside "…" kept; enough for these configs). */
function nginxDirectives(config: string): Directive[] {
  const source = config
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n');
  const out: Directive[] = [];
  const path: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of source) {
    if (ch === '"') {
      quoted = !quoted;
      current += ch;
    } else if (quoted) {
      current += ch;
    } else if (ch === '{') {
      path.push(current.trim().replace(/\s+/g, ' '));
      current = '';
    } else if (ch === '}') {
      path.pop();
      current = '';
    } else if (ch === ';') {
      out.push({ path: [...path], text: current.trim().replace(/\s+/g, ' ') });
      current = '';
    } else {
      current += ch;
    }
  }
  return out;
}

/** The one ```nginx block of docs/deploy.md. */
function documentedNginx(): string {
  const doc = readFileSync(resolve('docs/deploy.md'), 'utf8');
  const blocks = [...doc.matchAll(/```nginx\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  expect(blocks).toHaveLength(1);
  return blocks[0] ?? '';
}

const isLocation = (d: Directive) => d.path.at(-1) === 'location /';
const name = (d: Directive) => d.text.split(' ')[0];
const within = (ds: Directive[], block: string) => ds.filter((d) => d.path.at(-1) === block);

describe('docs/deploy.md nginx block', () => {
  const doc = nginxDirectives(documentedNginx());
  const test = nginxDirectives(nginxConfig('/tmp/unused', 8080, [3000, 3001]));

  it('proxies exactly as the multi-instance test does', () => {
    const proxied = (ds: Directive[]) =>
      ds
        .filter(isLocation)
        .filter((d) => name(d) !== 'proxy_pass')
        .map((d) => d.text)
        .sort();
    // Non-empty on both sides, so an unparsed block cannot pass as "equal".
    expect(proxied(test).length).toBeGreaterThan(5);
    expect(proxied(doc)).toEqual(proxied(test));
    // The doc sends to its upstream by name; the test picks one through a map, defaulting to the same upstream.
    expect(doc.filter(isLocation).filter((d) => name(d) === 'proxy_pass').map((d) => d.text)).toEqual(['proxy_pass http://portal']);
  });

  it('balances and limits bodies as the multi-instance test does', () => {
    const upstream = (ds: Directive[]) => within(ds, 'upstream portal');
    const serverParams = (ds: Directive[]) => [...new Set(upstream(ds).filter((d) => name(d) === 'server').map((d) => d.text.split(' ').slice(2).join(' ')))];
    expect(serverParams(test)).toEqual(['max_fails=1 fail_timeout=5s']);
    expect(serverParams(doc)).toEqual(serverParams(test));
    const keepalive = (ds: Directive[]) => upstream(ds).filter((d) => name(d) === 'keepalive').map((d) => d.text);
    expect(keepalive(test)).toHaveLength(1);
    expect(keepalive(doc)).toEqual(keepalive(test));
    const bodyLimit = (ds: Directive[]) => ds.filter((d) => name(d) === 'client_max_body_size').map((d) => d.text);
    expect(bodyLimit(test)).toHaveLength(1);
    expect([...new Set(bodyLimit(doc))]).toEqual(bodyLimit(test));
  });

  it('serves TLS only with HSTS, and redirects plain HTTP', () => {
    const texts = doc.map((d) => d.text);
    expect(texts).toContain('ssl_protocols TLSv1.2 TLSv1.3');
    expect(texts).toContain('add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always');
    expect(texts).toContain('return 301 https://$host$request_uri');
  });

  it.skipIf(!hasNginx)('is a configuration nginx accepts (nginx -t)', () => {
    const dir = tempDir('portal-nginx-doc-');
    try {
      for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
        mkdirSync(join(dir.path, sub));
      }
      const cert = join(dir.path, 'cert.pem');
      const key = join(dir.path, 'key.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=portal.example-clinic.org', '-keyout', key, '-out', cert], { stdio: 'ignore' });
      const block = documentedNginx()
        .replace(/ssl_certificate_key \S+;/, `ssl_certificate_key ${key};`)
        .replace(/ssl_certificate \S+;/, `ssl_certificate ${cert};`);
      expect(block).toContain(cert);
      // The doc's block is what goes into /etc/nginx/conf.d (inside Debian's `http { }`): wrap it the same way.
      const conf = `pid ${dir.path}/nginx.pid;
error_log ${dir.path}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir.path}/body;
  proxy_temp_path ${dir.path}/proxy;
  fastcgi_temp_path ${dir.path}/fastcgi;
  uwsgi_temp_path ${dir.path}/uwsgi;
  scgi_temp_path ${dir.path}/scgi;
${block}
}
`;
      writeFileSync(join(dir.path, 'nginx.conf'), conf);
      const run = spawnSync(NGINX, ['-t', '-p', dir.path, '-c', join(dir.path, 'nginx.conf'), '-e', join(dir.path, 'error.log')], { encoding: 'utf8', timeout: 20_000 });
      expect(run.stderr).toContain('test is successful');
      expect(run.status).toBe(0);
    } finally {
      dir.remove();
    }
  });
});
