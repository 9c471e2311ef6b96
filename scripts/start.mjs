// `npm start`: builds what is missing or stale, then opens the staff console in Electron.
// Electron is found without loading its package: requiring "electron" would try to download the
// binary, which fails without internet and would end in a stack trace instead of an explanation.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MIN_NODE = [22, 12];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Electron executable inside node_modules/electron, or null when it was never downloaded. */
export function findElectronBinary(projectDir, env = process.env) {
  const pkgDir = join(projectDir, 'node_modules', 'electron');
  const pathFile = join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const candidate = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return existsSync(candidate) ? candidate : null;
  }
  if (!relative) {
    return null;
  }
  const binary = join(pkgDir, 'dist', relative);
  return existsSync(binary) ? binary : null;
}

export function nodeIsRecentEnough(version = process.versions.node) {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

/** One paragraph: what is missing, why the console needs it, and what runs without it. */
export function explainMissing({ binary, nodeOk, nodeVersion = process.versions.node }) {
  const missing = [];
  if (!binary) {
    missing.push("Electron's program files are not installed (node_modules/electron/dist is missing)");
  }
  if (!nodeOk) {
    missing.push(`this Node.js is ${nodeVersion}, older than ${MIN_NODE.join('.')}`);
  }
  return (
    `The staff console cannot start here: ${missing.join(', and ')}. ` +
    `The console runs on Electron, which fetches its program files the first time it starts; that needs an internet connection and Node.js ${MIN_NODE.join('.')} or newer. ` +
    'Without the console you can still run the portal server alone with `npm run portal`, or a demo clinic with `npm run demo`.'
  );
}

function newestMtime(path) {
  if (!existsSync(path)) {
    return 0;
  }
  const stat = statSync(path);
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry !== 'node_modules') {
      newest = Math.max(newest, newestMtime(join(path, entry)));
    }
  }
  return newest;
}

/** Whether any output is missing or older than the newest source. */
export function needsBuild(projectDir, outputs, sources) {
  const outTimes = outputs.map((o) => join(projectDir, o)).map((o) => (existsSync(o) ? statSync(o).mtimeMs : 0));
  const oldestOutput = Math.min(...outTimes);
  if (oldestOutput === 0) {
    return true;
  }
  return sources.some((s) => newestMtime(join(projectDir, s)) > oldestOutput);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error(`\`${command} ${args.join(' ')}\` failed; the console was not started.`);
    process.exit(result.status ?? 1);
  }
}

function main() {
  let binary = findElectronBinary(root);
  const nodeOk = nodeIsRecentEnough();
  if (!binary && nodeOk) {
    // Electron ≥ 42 has no install script: fetch its program files now, quietly; if that fails
    // (no internet), the paragraph below says what to do instead of the downloader's stack trace.
    console.log("Fetching Electron's program files (first start only)…");
    const env = { ...process.env };
    delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
    spawnSync(process.execPath, [join(root, 'node_modules', 'electron', 'install.js')], { cwd: root, stdio: 'ignore', env });
    binary = findElectronBinary(root);
  }
  if (!binary || !nodeOk) {
    console.error(explainMissing({ binary, nodeOk }));
    process.exit(1);
  }
  const consoleOutputs = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
  const consoleSources = ['src-main', 'src-renderer', 'shared', 'portal-server/server', 'electron.vite.config.ts'];
  if (needsBuild(root, consoleOutputs, consoleSources)) {
    console.log('Building the staff console…');
    run('npx', ['electron-vite', 'build']);
  }
  if (needsBuild(root, ['out/portal-web/index.html'], ['portal-server/web'])) {
    console.log('Building the patient web app…');
    const config = existsSync(join(root, 'vite.portal.config.mts')) ? 'vite.portal.config.mts' : 'vite.portal.config.ts';
    run('npx', ['vite', 'build', '-c', config]);
  }
  const env = { ...process.env };
  // Set by some tools; it would make Electron behave as plain Node and never open a window.
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [root], { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
