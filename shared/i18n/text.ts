import type { PatientLanguage } from '../domain/language';
import { SPANISH_TEXT } from './es';

/**
 * Sentences written once in shared code (validation messages, the password hint, security
 * questions, the server's error messages) in the patient's language. The English sentence is the
 * key, as in gettext: shared code and the server keep writing plain English, and each other
 * language has a catalogue from those sentences to its own. Numbers are not part of a key: "Use at
 * least 8 characters." is looked up as "Use at least {0} characters." and the 8 put back.
 */
const CATALOGUES: Record<Exclude<PatientLanguage, 'en'>, Readonly<Record<string, string>>> = { es: SPANISH_TEXT };

/** The catalogue key of an English sentence: each run of digits becomes {0}, {1}… in order. */
export function textKey(english: string): { key: string; numbers: string[] } {
  const numbers: string[] = [];
  const key = english.replace(/\d+/g, (digits) => {
    numbers.push(digits);
    return `{${numbers.length - 1}}`;
  });
  return { key, numbers };
}

/** The sentence in `language`, or null when its catalogue has no entry for it. */
export function translateText(english: string, language: PatientLanguage): string | null {
  if (language === 'en') {
    return english;
  }
  const { key, numbers } = textKey(english);
  const found = CATALOGUES[language][key];
  return found === undefined ? null : found.replace(/\{(\d+)\}/g, (_m, i: string) => numbers[Number(i)] ?? '');
}

/** The sentence in `language`, falling back to the English it was written in. */
export function localizeText(english: string, language: PatientLanguage): string {
  return translateText(english, language) ?? english;
}
