// Runs the portal server (serve | setup | demo) with tsx, building the patient web app first if needed.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command = 'serve', ...rest] = process.argv.slice(2);

if (!['setup', 'backup', 'restore'].includes(command) && !existsSync(join(root, 'out/portal-web/index.html'))) {
  console.log('Building the patient web app (first run)…');
  const built = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '-c', 'vite.portal.config.mts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) {
    process.exit(built.status ?? 1);
  }
}

const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'portal-server/server/main.ts'), command, ...rest], {
  cwd: process.cwd(),
  stdio: 'inherit',
  env: { ...process.env, PORTAL_WEB_DIR: process.env.PORTAL_WEB_DIR ?? join(root, 'out/portal-web') },
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code) => process.exit(code ?? 0));
