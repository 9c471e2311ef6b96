import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import en from '../../portal-server/web/src/locales/en.json';
import es from '../../portal-server/web/src/locales/es.json';
import glossary from '../../portal-server/web/src/locales/glossary.es.json';
import { SPANISH_TEXT } from '../../shared/i18n/es';

/**
 * The portal's message files: every key in every language (a missing key fails here, not in front
 * of a patient), the same placeholders on both sides, and one Spanish term for each English term
 * (glossary.es.json).
 */
type Messages = { [key: string]: string | Messages };

function flatten(messages: Messages, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(messages)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') {
      out.set(path, value);
    } else {
      for (const [k, v] of flatten(value, path)) {
        out.set(k, v);
      }
    }
  }
  return out;
}

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
const plurals = (text: string): number => text.split('|').length;

const english = flatten(en as Messages);
const spanish = flatten(es as Messages);

describe('portal message files', () => {
  it('have many messages (the walk is not empty)', () => {
    expect(english.size).toBeGreaterThan(250);
  });

  it('Spanish has every English key, and no key English lacks', () => {
    const missing = [...english.keys()].filter((k) => !spanish.has(k));
    const extra = [...spanish.keys()].filter((k) => !english.has(k));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it('each Spanish message has the same placeholders and plural forms as its English', () => {
    const wrong = [...english].filter(([k, text]) => {
      const other = spanish.get(k) ?? '';
      return placeholders(text).join() !== placeholders(other).join() || plurals(text) !== plurals(other);
    });
    expect(wrong.map(([k]) => k)).toEqual([]);
  });

  it('no message is left empty or untranslated by accident', () => {
    // Words the same in both languages (a clinic's "Normal", "Menu" is "Menú") are allowed here by name.
    const same = new Set(['record.col.dose']);
    const untranslated = [...english].filter(([k, text]) => text.length > 6 && spanish.get(k) === text && !same.has(k));
    expect(untranslated.map(([k]) => k)).toEqual([]);
    expect([...spanish].filter(([, t]) => t.trim() === '').map(([k]) => k)).toEqual([]);
  });

  it('uses the glossary: where the English holds a term, the Spanish holds its translation', () => {
    const pairs: [string, string][] = [...[...english].map(([k, t]) => [t, spanish.get(k) ?? ''] as [string, string]), ...Object.entries(SPANISH_TEXT)];
    const breaks: string[] = [];
    // Placeholders ({clinic}) and examples ("(ex: Password1)") are not words of the sentence.
    const words = (text: string): string => text.replace(/\{\w+\}/g, '…').replace(/\(ex: [^)]*\)/g, '');
    for (const [term, translation] of Object.entries(glossary.terms)) {
      const termPattern = new RegExp(`\\b${term.replace(/[/-]/g, (c) => `\\${c}`)}`, 'i');
      const forms = translation.toLowerCase().split('|');
      for (const [englishText, spanishText] of pairs) {
        if (termPattern.test(words(englishText)) && !forms.some((f) => spanishText.toLowerCase().includes(f))) {
          breaks.push(`"${term}" → "${translation}" missing in: ${spanishText}`);
        }
      }
    }
    expect(breaks).toEqual([]);
  });
});

/**
 * The patient guide's English is the patients' contract (../shared/seed): the registration page's
 * labels, hints, rules and confirmation keep its exact words. Pinned here; where the guide itself
 * is beside the repository, each pinned sentence is also found in it.
 */
const GUIDE_WORDS: Record<string, string> = {
  'register.title': 'Complete Registration',
  'register.signInInformation': 'Sign In Information',
  'register.username': 'Username',
  'register.password': 'Password',
  'register.confirmPassword': 'Re-type Password',
  'register.question1': 'Security Question 1',
  'register.question2': 'Security Question 2',
  'register.answer': 'Answer',
  'register.dateOfBirth': 'Account Verification 1: Please enter Date of Birth',
  'register.dateOfBirthHint': 'Date of Birth will be in the following format: mm/dd/yyyy',
  'register.registrationId': 'Account Verification 2: Please enter Registration ID',
  'register.registrationIdHint': 'The registration ID can be found on your Patient Portal invite you received via email.',
  'register.selectOne': 'Select One',
  'register.help': "Registration problems? Please contact your doctor's office for further assistance.",
};

describe("the patient guide's English, pinned", () => {
  for (const [key, words] of Object.entries(GUIDE_WORDS)) {
    it(`${key} is "${words}"`, () => {
      expect(english.get(key)).toBe(words);
    });
  }
  it('the registration intro keeps both of the guide\'s sentences', () => {
    expect(english.get('register.intro')).toBe('Please fill in all the fields and select Register to complete registration. All fields are required on this page.');
    expect(english.get('register.submit')).toBe('Register');
  });

  it('every pinned sentence is in the guide itself, where the guide is beside the repository', () => {
    const seedDir = join(__dirname, '../../../shared/seed');
    let guide: string;
    try {
      guide = readFileSync(join(seedDir, '000_27d13f1aa64ccd94.txt'), 'utf8');
    } catch {
      return; // A checkout without the handbook folder: the pins above still hold the words.
    }
    const flat = guide.replace(/&amp;/g, '&').replace(/\s+/g, ' ');
    const absent = [...Object.values(GUIDE_WORDS), 'Please fill in all the fields and select Register to complete registration.', 'All fields are required on this page.'].filter((w) => !flat.includes(w));
    expect(absent).toEqual([]);
  });
});
