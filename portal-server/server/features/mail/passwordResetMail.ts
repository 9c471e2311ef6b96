import { buttonHtml, escapeHtml, htmlPart, mailDate, mailLanguage, textPart } from './mailLayout';
import type { MailLanguage } from './mailLayout';
import { MAIL_TEXT } from './mailText';
import type { RenderedMail } from './templates';

/** A front-desk password reset. No name, no username, nothing about the patient's health. */
export interface PasswordResetMailPayload extends MailLanguage {
  clinicName: string;
  clinicPhone: string;
  timeZone: string;
  /** PUBLIC_URL/reset-password#token=… (the token in the fragment never reaches a server log). */
  link: string;
  expiresAt: string;
}

/** Its words, in every language, are in mailText.ts (`passwordReset`). */
export function renderPasswordReset(p: PasswordResetMailPayload): RenderedMail {
  const lang = mailLanguage(p);
  const t = MAIL_TEXT[lang].passwordReset;
  const once = t.once(mailDate(MAIL_TEXT[lang], p.expiresAt, p.timeZone));
  const hello = MAIL_TEXT[lang].hello;
  const text = textPart(lang, p, [hello, '', t.lead, '', `${t.button}: ${p.link}`, '', once, '', t.ignore(p)]);
  const e = escapeHtml;
  const html = htmlPart(lang, p, [e(hello), e(t.lead), buttonHtml(p.link, t.button), e(once), e(t.ignore(p))]);
  return { subject: t.subject(p), text, html };
}
