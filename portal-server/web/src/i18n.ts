import { dateLocale } from '@ui-kit/dates';
import { createI18n } from 'vue-i18n';
import { isPatientLanguage, languageFromAcceptLanguage } from '../../../shared/domain/language';
import type { PatientLanguage } from '../../../shared/domain/language';
import { localizeText, translateText } from '../../../shared/i18n/text';
import en from './locales/en.json';
import es from './locales/es.json';

/**
 * The portal speaks English and Spanish (issue 15). Its own words live in locales/<language>.json,
 * precompiled at build time (no eval under the strict CSP); sentences written once in shared code
 * or by the server are looked up by their English (shared/i18n). English is the fallback for both.
 */
export const i18n = createI18n({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en, es },
  missingWarn: false,
  fallbackWarn: false,
});

const STORAGE_KEY = 'portal.language';

export function currentLanguage(): PatientLanguage {
  const locale = i18n.global.locale.value;
  return isPatientLanguage(locale) ? locale : 'en';
}

/** The browser's choice on this computer, or its languages (what Accept-Language says). */
export function startingLanguage(): PatientLanguage {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isPatientLanguage(stored)) {
      return stored;
    }
  } catch {
    // Storage blocked: the browser's languages decide.
  }
  return languageFromAcceptLanguage(navigator.languages.join(','));
}

/** Switches every word on the page (typed values stay: nothing is reloaded) and the html lang. */
export function setLanguage(language: PatientLanguage, options: { remember: boolean } = { remember: true }): void {
  i18n.global.locale.value = language;
  document.documentElement.lang = language;
  // Months and weekdays in the page's language; dates keep the US order (mm/dd/yyyy) in both.
  dateLocale.value = `${language}-US`;
  if (options.remember) {
    try {
      localStorage.setItem(STORAGE_KEY, language);
    } catch {
      // Not remembered on this computer; the page still switches.
    }
  }
}

/** A sentence written in English by shared code, in the page's language (reactive to a switch). */
export function tx<T extends string | undefined>(english: T): T {
  return (english === undefined ? english : localizeText(english, currentLanguage())) as T;
}

/**
 * A server error in the page's language: by its code with its parameters when the code has one
 * sentence (rate_limited: "wait {minutes} minutes"), else by the server's English sentence, else
 * by a general sentence for the code; the server's English when none fits.
 */
export function errorText(code: string, english: string, params: Record<string, string | number> = {}): string {
  const language = currentLanguage();
  if (language === 'en') {
    return english;
  }
  const { t, te } = i18n.global;
  if (Object.keys(params).length > 0 && te(`errors.withParams.${code}`, language)) {
    // A number among the params chooses the plural form ("1 minute", "5 minutes").
    const count = Object.values(params).find((v): v is number => typeof v === 'number');
    return count === undefined ? t(`errors.withParams.${code}`, params) : t(`errors.withParams.${code}`, params, count);
  }
  return translateText(english, language) ?? (te(`errors.byCode.${code}`, language) ? t(`errors.byCode.${code}`) : english);
}
