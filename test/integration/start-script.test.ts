import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { explainMissing, findElectronBinary, needsBuild, nodeIsRecentEnough } from '../../scripts/start.mjs';

const root = resolve(__dirname, '../..');
const dirs: string[] = [];
function tempProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'start-script-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('npm start without Electron’s binary', () => {
  it('explains in one paragraph, without a stack trace, and exits 1', () => {
    // An empty override folder: the binary is missing here even where Electron is installed.
    const result = spawnSync(process.execPath, [join(root, 'scripts/start.mjs')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: tempProject() },
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    const out = `${result.stdout}${result.stderr}`.trim();
    expect(out.split('\n')).toHaveLength(1);
    expect(out).not.toMatch(/\n\s+at /);
    expect(out).toContain("Electron's program files are not installed");
    expect(out).toContain('internet connection and Node.js 22.12 or newer');
    expect(out).toContain('`npm run portal`');
    expect(out).toContain('`npm run demo`');
  });
});

describe('scripts/start.mjs helpers', () => {
  it('finds the binary named by path.txt only when it exists', () => {
    const project = tempProject();
    const pkg = join(project, 'node_modules/electron');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    expect(findElectronBinary(project, {})).toBeNull();
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    expect(findElectronBinary(project, {})).toBeNull();
    writeFileSync(join(pkg, 'dist/electron'), '');
    expect(findElectronBinary(project, {})).toBe(join(pkg, 'dist/electron'));
  });

  it('wants Node 22.12 or newer', () => {
    expect(nodeIsRecentEnough('22.12.0')).toBe(true);
    expect(nodeIsRecentEnough('24.1.0')).toBe(true);
    expect(nodeIsRecentEnough('22.11.9')).toBe(false);
    expect(nodeIsRecentEnough('20.19.0')).toBe(false);
  });

  it('names only what is missing', () => {
    expect(explainMissing({ binary: '/x/electron', nodeOk: false, nodeVersion: '20.1.0' })).toContain('this Node.js is 20.1.0, older than 22.12');
    expect(explainMissing({ binary: '/x/electron', nodeOk: false, nodeVersion: '20.1.0' })).not.toContain('program files are not installed');
    expect(explainMissing({ binary: null, nodeOk: true })).not.toContain('older than');
  });

  it('rebuilds when an output is missing or older than a source', () => {
    const project = tempProject();
    mkdirSync(join(project, 'src/deep'), { recursive: true });
    mkdirSync(join(project, 'out'), { recursive: true });
    writeFileSync(join(project, 'src/deep/a.ts'), '');
    expect(needsBuild(project, ['out/a.js'], ['src'])).toBe(true);
    writeFileSync(join(project, 'out/a.js'), '');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(project, 'src/deep/a.ts'), past, past);
    utimesSync(join(project, 'src/deep'), past, past);
    utimesSync(join(project, 'src'), past, past);
    expect(needsBuild(project, ['out/a.js'], ['src'])).toBe(false);
    writeFileSync(join(project, 'src/deep/a.ts'), 'changed');
    expect(needsBuild(project, ['out/a.js'], ['src'])).toBe(true);
  });
});
