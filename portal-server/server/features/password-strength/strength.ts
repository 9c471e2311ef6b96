/**
 * How hard a new password is to guess, judged on the server with zxcvbn-ts and its English and
 * Spanish dictionaries. Applies to every staff password and to patients' passwords under the
 * clinic's passphrase policy (`strong`); the patient guide's rule (`default`) stays exactly as the
 * guide states it. The dictionaries are large: they are ranked on first use, and only on the
 * server — the portal's page script never imports this module.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import type { ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import * as es from '@zxcvbn-ts/language-es-es';
import { DomainError } from '../../../../shared/api/errors';
import type { PasswordPolicy } from '../../../../shared/domain/clinic';

/** zxcvbn's 0–4 scale; 3 is "safely unguessable: moderate protection from offline slow-hash attacks". */
export const MIN_STRENGTH_SCORE = 3;

let factory: ZxcvbnFactory | null = null;

function estimator(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary, ...es.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return factory;
}

/** The estimate for `password`; `userInputs` (username, names, the clinic's name) count as known words. */
export function passwordStrength(password: string, userInputs: readonly string[]): ZxcvbnResult {
  const inputs = userInputs.flatMap((s) => [s, ...s.split(/[^\p{L}\p{N}]+/u)]).filter((s) => s.length >= 3);
  return estimator().check(password, inputs);
}

/**
 * Refuses a password scoring below MIN_STRENGTH_SCORE with a field error on `field`. Call it after
 * the schema check and before anything is written.
 */
export function requireHardToGuess(password: string, userInputs: readonly string[], field = 'password'): void {
  const result = passwordStrength(password, userInputs);
  if (result.score >= MIN_STRENGTH_SCORE) {
    return;
  }
  const why = result.feedback.warning ? ` ${result.feedback.warning.replace(/\.?$/, '.')}` : '';
  const message = `This password is too easy to guess.${why} Add a few more unrelated words, or make it longer.`;
  throw new DomainError('validation_failed', message, { [field]: message });
}

/** A patient's new password: checked for strength only under the passphrase policy. */
export function requirePatientPassword(policy: PasswordPolicy, password: string, userInputs: readonly string[], field = 'password'): void {
  if (policy === 'strong') {
    requireHardToGuess(password, userInputs, field);
  }
}
