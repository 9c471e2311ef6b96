import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../../shared/api/errors';
import { MIN_STRENGTH_SCORE, passwordStrength, requireHardToGuess, requirePatientPassword } from './strength';

const root = resolve(__dirname, '../../../..');
const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|vue|mts)$/.test(name) ? [path] : [];
  });

describe('password strength', () => {
  it('knows Spanish and English words, and the person’s own names', () => {
    expect(passwordStrength('primavera verano otoño', []).sequence.map((m) => ('dictionaryName' in m ? m.dictionaryName : m.pattern))).toEqual(['seasons-es-es']);
    expect(passwordStrength('monday tuesday wednesday', []).score).toBeLessThan(MIN_STRENGTH_SCORE);
    expect(passwordStrength('Vashtiquorble82', []).score).toBeGreaterThanOrEqual(MIN_STRENGTH_SCORE);
    expect(passwordStrength('Vashtiquorble82', ['vashtiquorble']).score).toBeLessThan(MIN_STRENGTH_SCORE);
  });

  it('refuses with a field error on the given field; the guide rule (default policy) is never judged by it', () => {
    let error: unknown;
    try {
      requireHardToGuess('Password1', [], 'adminPassword');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).fields).toEqual({ adminPassword: expect.stringMatching(/^This password is too easy to guess\./) });
    expect(() => requirePatientPassword('default', 'Password1', [])).not.toThrow();
    expect(() => requirePatientPassword('strong', 'passwordpassword1', [])).toThrow(DomainError);
  });

  it("is never part of the portal's page script: nothing the browser loads imports zxcvbn", () => {
    const browserCode = [...sourceFiles(join(root, 'portal-server/web')), ...sourceFiles(join(root, 'shared'))].filter((f) => !f.includes('/node/'));
    expect(browserCode.length).toBeGreaterThan(20);
    expect(browserCode.filter((f) => /@zxcvbn-ts|password-strength/.test(readFileSync(f, 'utf8')))).toEqual([]);
  });
});
