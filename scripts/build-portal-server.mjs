// Builds the portal server into plain JavaScript (out/portal-server/main.js) that runs with `node` and the
// runtime dependencies only: npm packages stay external (they come from `npm ci --omit=dev`), our own
// TypeScript (server + shared) is bundled. The patient web app is served from ../portal-web beside it
// unless PORTAL_WEB_DIR says otherwise.
import { build } from 'esbuild';
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'portal-server/server/main.ts')],
  outfile: join(root, 'out/portal-server/main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  tsconfig: join(root, 'tsconfig.node.json'),
  banner: { js: "process.env.PORTAL_WEB_DIR ??= require('node:path').join(__dirname, '..', 'portal-web');" },
  logLevel: 'warning',
});
// Our own files the code reads beside itself (join(__dirname, …)) come along: the invitation letter's
// font (shared/node/pdf.ts), with its licence. build.test.ts checks every such path exists.
cpSync(join(root, 'shared/node/fonts'), join(root, 'out/portal-server/fonts'), { recursive: true });
console.log('Built out/portal-server/main.js');
