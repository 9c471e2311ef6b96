import { formatRegistrationId } from '../../../../shared/domain/invitation';
import { buttonHtml, escapeHtml, htmlPart, mailDate, mailLanguage, textPart } from './mailLayout';
import type { MailLanguage } from './mailLayout';
import { MAIL_TEXT } from './mailText';
import { renderPasswordReset } from './passwordResetMail';
import type { PasswordResetMailPayload } from './passwordResetMail';

/**
 * The portal's emails. Their words, in every language, are in mailText.ts; each payload carries the
 * patient's language (absent: English, as in mails queued before issue 15), and every mail ends
 * with the language-assistance notice in every language (mailLayout.ts).
 */

/** What an invitation mail needs. No health information, not even the patient's name. */
export interface InvitationMailPayload extends MailLanguage {
  clinicName: string;
  clinicPhone: string;
  timeZone: string;
  link: string;
  registrationId: string;
  expiresAt: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function renderInvitation(p: InvitationMailPayload): RenderedMail {
  const lang = mailLanguage(p);
  const t = MAIL_TEXT[lang].invitation;
  const id = formatRegistrationId(p.registrationId);
  const expires = t.expires(mailDate(MAIL_TEXT[lang], p.expiresAt, p.timeZone));
  const hello = MAIL_TEXT[lang].hello;
  const text = textPart(lang, p, [
    hello,
    '',
    t.intro(p),
    '',
    t.openLink,
    `${t.button}: ${p.link}`,
    '',
    `${t.registrationId} ${id}`,
    expires,
    '',
    t.dateOfBirth,
    '',
    t.junkMail,
    '',
    t.problems(p),
  ]);
  const e = escapeHtml;
  const html = htmlPart(lang, p, [
    e(hello),
    e(t.intro(p)),
    buttonHtml(p.link, t.button),
    `${e(t.registrationId)} <strong style="font-family:monospace;font-size:1.2em;letter-spacing:0.1em">${e(id)}</strong><br>\n${e(expires)}`,
    e(t.dateOfBirth),
    e(t.junkMail),
    e(t.problems(p)),
  ]);
  return { subject: t.subject(p), text, html };
}

/**
 * "Something changed, sign in to see it" mails. They carry no health information at all: no
 * medication, reason, message text, physician or time — only the clinic and where to sign in.
 */
export const NOTICE_TEMPLATES = ['appointmentUpdate', 'newMessage', 'renewalUpdate', 'passwordChanged', 'emailChanged', 'secondFactorReset'] as const;
export type NoticeTemplate = (typeof NOTICE_TEMPLATES)[number];

/**
 * Notices about the account itself. They go to the address they were queued for even when the
 * patient's address changes before they are sent: the owner of that address is who must know.
 */
export const ACCOUNT_NOTICES: readonly string[] = ['passwordChanged', 'emailChanged', 'secondFactorReset'] satisfies NoticeTemplate[];

export interface NoticeMailPayload extends MailLanguage {
  clinicName: string;
  clinicPhone: string;
  /** PUBLIC_URL + /sign-in */
  signInUrl: string;
  /**
   * PUBLIC_URL + the portal page the notice is about (e.g. /messages/<opaque thread id>): the
   * portal asks for sign-in first and then opens it. Never a subject, text or time. Older queued
   * mails have none and link to Sign In.
   */
  itemUrl?: string;
  /** emailChanged only: the patient changed it on Account (older mails: the clinic did). */
  changedBy?: 'patient';
}

/** Where the mail's link goes: the item it is about when there is one, else Sign In. */
const linkOf = (p: NoticeMailPayload): string => p.itemUrl ?? p.signInUrl;

export function renderNotice(template: NoticeTemplate, p: NoticeMailPayload): RenderedMail {
  const lang = mailLanguage(p);
  const t = MAIL_TEXT[lang].notice;
  const words = {
    appointmentUpdate: () => t.appointmentUpdate(p, linkOf(p)),
    newMessage: () => t.newMessage(p, linkOf(p)),
    renewalUpdate: () => t.renewalUpdate(p, linkOf(p)),
    passwordChanged: () => t.passwordChanged(p, p.signInUrl),
    emailChanged: () => (p.changedBy === 'patient' ? t.emailChangedByPatient(p, p.signInUrl) : t.emailChangedByClinic(p, p.signInUrl)),
    secondFactorReset: () => t.secondFactorReset(p, p.signInUrl),
  } satisfies Record<NoticeTemplate, unknown>;
  const { subject, lead, line } = words[template]();
  const hello = MAIL_TEXT[lang].hello;
  const text = textPart(lang, p, [hello, '', line, '', t.privacy(p)]);
  const e = escapeHtml;
  const html = htmlPart(lang, p, [e(hello), e(lead), buttonHtml(linkOf(p), t.button), e(t.privacy(p))]);
  return { subject, text, html };
}

/** A mail whose point is a one-time code: the same layout for every such code. */
function oneTimeCodeMail(p: { clinicName: string; clinicPhone: string; code: string } & MailLanguage, subject: string, lead: string, expires: string): RenderedMail {
  const lang = mailLanguage(p);
  const t = MAIL_TEXT[lang].code;
  const hello = MAIL_TEXT[lang].hello;
  const text = textPart(lang, p, [hello, '', lead, '', `${t.yourCode} ${p.code}`, '', expires, '', t.ignore, '', t.contact(p)]);
  const e = escapeHtml;
  const html = htmlPart(lang, p, [
    e(hello),
    e(lead),
    `${e(t.yourCode)} <strong style="font-family:monospace;font-size:1.4em;letter-spacing:0.15em">${e(p.code)}</strong>`,
    e(expires),
    e(t.ignore),
    e(t.contact(p)),
  ]);
  return { subject, text, html };
}

/** A one-time recovery code. No name, no username, nothing about the patient's health. */
export interface RecoveryCodeMailPayload extends MailLanguage {
  clinicName: string;
  clinicPhone: string;
  kind: 'password' | 'username';
  code: string;
  minutes: number;
}

export function renderRecoveryCode(p: RecoveryCodeMailPayload): RenderedMail {
  const t = MAIL_TEXT[mailLanguage(p)].recovery;
  return oneTimeCodeMail(p, t.subject(p), t.lead(p, p.kind), t.expires(p.minutes));
}

/** The code that confirms a patient's new email address, sent to that address. No health data. */
export interface EmailChangeCodeMailPayload extends MailLanguage {
  clinicName: string;
  clinicPhone: string;
  code: string;
  minutes: number;
}

export function renderEmailChangeCode(p: EmailChangeCodeMailPayload): RenderedMail {
  const t = MAIL_TEXT[mailLanguage(p)].emailChange;
  return oneTimeCodeMail(p, t.subject(p), t.lead(p), t.expires(p.minutes));
}

/** Every template `render` knows, for the tests that render each in every language. */
export const TEMPLATES = ['invitation', 'passwordReset', 'recoveryCode', 'emailChangeCode', ...NOTICE_TEMPLATES] as const;

export function render(template: string, payload: unknown): RenderedMail {
  if ((NOTICE_TEMPLATES as readonly string[]).includes(template)) {
    return renderNotice(template as NoticeTemplate, payload as NoticeMailPayload);
  }
  switch (template) {
    case 'invitation':
      return renderInvitation(payload as InvitationMailPayload);
    case 'passwordReset':
      return renderPasswordReset(payload as PasswordResetMailPayload);
    case 'recoveryCode':
      return renderRecoveryCode(payload as RecoveryCodeMailPayload);
    case 'emailChangeCode':
      return renderEmailChangeCode(payload as EmailChangeCodeMailPayload);
    default:
      throw new Error(`Unknown mail template "${template}"`);
  }
}
