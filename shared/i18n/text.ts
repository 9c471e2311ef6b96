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

/**
 * Keys with named parts ("You have already asked to renew {medication}.") match any text there:
 * the server puts a clinic's or a medication's name into a few sentences. Built once per catalogue.
 */
const patterns = new Map<string, { regex: RegExp; names: string[]; translation: string }[]>();
function patternsOf(language: Exclude<PatientLanguage, 'en'>) {
  let list = patterns.get(language);
  if (!list) {
    list = Object.entries(CATALOGUES[language])
      .filter(([key]) => /\{[a-z]\w*\}/.test(key))
      .map(([key, translation]) => {
        const names: string[] = [];
        const source = key
          .split(/(\{[a-z]\w*\})/)
          .map((part) => {
            const named = /^\{([a-z]\w*)\}$/.exec(part);
            if (named) {
              names.push(named[1] ?? '');
              return '(.+?)';
            }
            return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          })
          .join('');
        return { regex: new RegExp(`^${source}$`), names, translation };
      });
    patterns.set(language, list);
  }
  return list;
}

/** The sentence in `language`, or null when its catalogue has no entry for it. */
export function translateText(english: string, language: PatientLanguage): string | null {
  if (language === 'en') {
    return english;
  }
  const { key, numbers } = textKey(english);
  const withNumbers = (text: string): string => text.replace(/\{(\d+)\}/g, (_m, i: string) => numbers[Number(i)] ?? '');
  const found = CATALOGUES[language][key];
  if (found !== undefined) {
    return withNumbers(found);
  }
  for (const p of patternsOf(language)) {
    const match = p.regex.exec(key);
    if (match) {
      const values = new Map(p.names.map((name, i) => [name, match[i + 1] ?? '']));
      return withNumbers(p.translation.replace(/\{([a-z]\w*)\}/g, (_m, name: string) => values.get(name) ?? ''));
    }
  }
  return null;
}

/** The sentence in `language`, falling back to the English it was written in. */
export function localizeText(english: string, language: PatientLanguage): string {
  return translateText(english, language) ?? english;
}
