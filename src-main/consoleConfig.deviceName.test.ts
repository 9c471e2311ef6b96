import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleConfigError, deviceNameProblem, readConsoleConfig } from './consoleConfig';

/** A joining desk's name (issue 16 item 1): what is accepted, and a damaged one in console.json. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) {
    rmSync(d, { recursive: true, force: true });
  }
});
function withConfig(config: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-name-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'console.json'), JSON.stringify(config));
  return dir;
}
const base = { hostServer: false, port: 3000, serverUrl: 'https://records.example-clinic.org' };

describe('a name for this computer', () => {
  it('takes 1–60 characters without control characters, and says what is wrong otherwise', () => {
    expect(deviceNameProblem('Front desk 2')).toBeNull();
    expect(deviceNameProblem('   ')).toMatch(/Give this computer a name/);
    expect(deviceNameProblem('x'.repeat(61))).toMatch(/up to 60/);
    expect(deviceNameProblem('Desk\u0007')).toMatch(/up to 60/);
  });

  it('is read back from console.json, trimmed; a damaged one is refused with the file named', () => {
    expect(readConsoleConfig(withConfig({ ...base, deviceName: ' Front desk 2 ' })).deviceName).toBe('Front desk 2');
    expect(readConsoleConfig(withConfig(base)).deviceName).toBeUndefined();
    expect(() => readConsoleConfig(withConfig({ ...base, deviceName: 42 }))).toThrow(ConsoleConfigError);
    expect(() => readConsoleConfig(withConfig({ ...base, deviceName: '' }))).toThrow(/"deviceName" must be a name/);
  });
});
