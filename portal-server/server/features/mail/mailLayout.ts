import { PATIENT_LANGUAGES, isPatientLanguage } from '../../../../shared/domain/language';
import type { PatientLanguage } from '../../../../shared/domain/language';
import { formatDateInZone } from '../../../../shared/time/instant';
import { MAIL_TEXT } from './mailText';
import type { ClinicWords, MailText } from './mailText';

/** What every mail's payload may carry about its language (issue 15). */
export interface MailLanguage {
  /** The patient's language when the mail was queued; absent (mails queued before) = English. */
  language?: PatientLanguage;
}

/**
 * The language a queued mail is written in: its payload's, English when it has none (mails queued
 * before issue 15) or one the server no longer speaks.
 */
export function mailLanguage(p: MailLanguage): PatientLanguage {
  return isPatientLanguage(p.language) ? p.language : 'en';
}

/** The language to queue a patient's mail in: their preference; English when none (null) is set. */
export function patientMailLanguage(patient: { language?: string | null }): PatientLanguage {
  return isPatientLanguage(patient.language) ? patient.language : 'en';
}

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A date in the clinic's zone, month names in the mail's language, US order. */
export const mailDate = (t: MailText, iso: string, timeZone: string): string => formatDateInZone(iso, timeZone, t.dateLocale);

/**
 * The language-assistance notice, in every language the portal speaks: the mail's own first, then
 * the others. Every mail ends with it, so a patient whose preference was set wrong still learns
 * where to get help in their language.
 */
export function languageHelp(lang: PatientLanguage, c: ClinicWords): { lang: string; text: string }[] {
  const order = [lang, ...PATIENT_LANGUAGES.filter((l) => l !== lang)];
  return order.map((l) => ({ lang: MAIL_TEXT[l].htmlLang, text: MAIL_TEXT[l].languageHelp(c) }));
}

/** The text part: the mail's lines (blank lines included), then the language-assistance notice. */
export function textPart(lang: PatientLanguage, c: ClinicWords, lines: string[]): string {
  return [...lines, '', ...languageHelp(lang, c).map((h) => h.text)].join('\n');
}

const BUTTON_STYLE = 'display:inline-block;padding:10px 18px;background:#1d5c96;color:#ffffff;text-decoration:none;border-radius:4px';

/** A link styled as a button (escaped here). */
export const buttonHtml = (href: string, label: string): string => `<a href="${escapeHtml(href)}" style="${BUTTON_STYLE}">${escapeHtml(label)}</a>`;

/**
 * The HTML part: `<html lang>` of the mail's language, its paragraphs (already escaped HTML), then
 * the language-assistance notice, each language marked with its own lang for screen readers.
 */
export function htmlPart(lang: PatientLanguage, c: ClinicWords, paragraphs: string[]): string {
  const help = languageHelp(lang, c)
    .map((h) => `<p lang="${h.lang}" style="font-size:0.9em;color:#4a5560">${escapeHtml(h.text)}</p>`)
    .join('\n');
  return `<!doctype html><html lang="${MAIL_TEXT[lang].htmlLang}"><body style="font-family:Arial,sans-serif;line-height:1.5;color:#1b2631">
${paragraphs.map((p) => `<p>${p}</p>`).join('\n')}
${help}
</body></html>`;
}
