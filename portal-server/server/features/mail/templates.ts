import { formatRegistrationId } from '../../../../shared/domain/invitation';
import { formatDateInZone } from '../../../../shared/time/instant';
import { renderPasswordReset } from './passwordResetMail';
import type { PasswordResetMailPayload } from './passwordResetMail';

/** The guide's step 1 for the mails that follow this one (the Sign In page says it word for word). */
const JUNK_MAIL_LATER = 'Emails from the portal may land in "Junk E-mail." If you do not see one in your Inbox, check "Junk E-mail."';

/** What an invitation mail needs. No health information, not even the patient's name. */
export interface InvitationMailPayload {
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

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function renderInvitation(p: InvitationMailPayload): RenderedMail {
  const id = formatRegistrationId(p.registrationId);
  const expires = formatDateInZone(p.expiresAt, p.timeZone);
  const subject = `${p.clinicName} invites you to its Patient Portal`;
  const text = [
    'Hello,',
    '',
    `${p.clinicName} has pre-registered you for its Patient Portal, where you can see your medical record, request appointments and prescription renewals, and message your doctor.`,
    '',
    'To finish registering, open this link:',
    `Continue Registration: ${p.link}`,
    '',
    `Your Registration ID: ${id}`,
    `This invitation expires on ${expires}.`,
    '',
    "You will also need your date of birth. If you did not expect this email, you can ignore it.",
    '',
    JUNK_MAIL_LATER,
    '',
    `Registration problems? Please contact your doctor's office: ${p.clinicName}, ${p.clinicPhone}.`,
  ].join('\n');
  const e = escapeHtml;
  const html = `<!doctype html><html lang="en"><body style="font-family:Arial,sans-serif;line-height:1.5;color:#1b2631">
<p>Hello,</p>
<p>${e(p.clinicName)} has pre-registered you for its Patient Portal, where you can see your medical record, request appointments and prescription renewals, and message your doctor.</p>
<p><a href="${e(p.link)}" style="display:inline-block;padding:10px 18px;background:#1d5c96;color:#ffffff;text-decoration:none;border-radius:4px">Continue Registration</a></p>
<p>Your Registration ID: <strong style="font-family:monospace;font-size:1.2em;letter-spacing:0.1em">${e(id)}</strong><br>
This invitation expires on ${e(expires)}.</p>
<p>You will also need your date of birth. If you did not expect this email, you can ignore it.</p>
<p>${e(JUNK_MAIL_LATER)}</p>
<p>Registration problems? Please contact your doctor's office: ${e(p.clinicName)}, ${e(p.clinicPhone)}.</p>
</body></html>`;
  return { subject, text, html };
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

export interface NoticeMailPayload {
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

/** `line` is the mail's one sentence in the text part; the HTML part puts the link on a button. */
const NOTICES: Record<NoticeTemplate, (p: NoticeMailPayload) => { subject: string; lead: string; line: string }> = {
  appointmentUpdate: (p) => {
    const lead = `There is an update about your appointment request at ${p.clinicName}.`;
    return { subject: `An update from ${p.clinicName}`, lead, line: `${lead} Sign in to see it: ${linkOf(p)}` };
  },
  newMessage: (p) => {
    const lead = 'You have a new message from your clinic — sign in to read it.';
    return { subject: `New message from ${p.clinicName}`, lead, line: `${lead}\n${linkOf(p)}` };
  },
  renewalUpdate: (p) => {
    const lead = `There is an update about your prescription renewal request at ${p.clinicName}.`;
    return { subject: `An update from ${p.clinicName}`, lead, line: `${lead} Sign in to see it: ${linkOf(p)}` };
  },
  passwordChanged: (p) => {
    const lead = `The password of your ${p.clinicName} Patient Portal account was changed, and browsers signed in to it were signed out. If this was not you, call ${p.clinicName} at ${p.clinicPhone} right away.`;
    return { subject: `Your ${p.clinicName} Patient Portal password was changed`, lead, line: `${lead}\nSign in: ${p.signInUrl}` };
  },
  emailChanged: (p) => {
    if (p.changedBy === 'patient') {
      const own = `The email address of your ${p.clinicName} Patient Portal account was changed on the Account page. Portal emails, including password links, now go to the new address, not to this one. If this was not you, call ${p.clinicName} at ${p.clinicPhone} right away.`;
      return { subject: `The email address of your ${p.clinicName} Patient Portal account was changed`, lead: own, line: `${own}\nSign in: ${p.signInUrl}` };
    }
    const lead = `The clinic changed the email address of your ${p.clinicName} Patient Portal account. Portal emails, including password links, now go to the new address, not to this one. If you did not ask for this, call ${p.clinicName} at ${p.clinicPhone} right away.`;
    return { subject: `The email address of your ${p.clinicName} Patient Portal account was changed`, lead, line: `${lead}\nSign in: ${p.signInUrl}` };
  },
  secondFactorReset: (p) => {
    const lead = `At your request, ${p.clinicName} turned off two-step sign-in for your Patient Portal account, and browsers signed in to it were signed out. You now sign in with your password alone; you can turn two-step sign-in on again on the Account page. If you did not ask for this, call ${p.clinicName} at ${p.clinicPhone} right away.`;
    return { subject: `Two-step sign-in was turned off for your ${p.clinicName} Patient Portal account`, lead, line: `${lead}\nSign in: ${p.signInUrl}` };
  },
};

export function renderNotice(template: NoticeTemplate, p: NoticeMailPayload): RenderedMail {
  const { subject, lead, line } = NOTICES[template](p);
  const text = ['Hello,', '', line, '', `For your privacy this email does not include any details. Questions? Call ${p.clinicName} at ${p.clinicPhone}.`].join('\n');
  const e = escapeHtml;
  const html = `<!doctype html><html lang="en"><body style="font-family:Arial,sans-serif;line-height:1.5;color:#1b2631">
<p>Hello,</p>
<p>${e(lead)}</p>
<p><a href="${e(linkOf(p))}" style="display:inline-block;padding:10px 18px;background:#1d5c96;color:#ffffff;text-decoration:none;border-radius:4px">Sign in</a></p>
<p>For your privacy this email does not include any details. Questions? Call ${e(p.clinicName)} at ${e(p.clinicPhone)}.</p>
</body></html>`;
  return { subject, text, html };
}

/** A mail whose point is a one-time code: the same layout for every such code. */
function oneTimeCodeMail(p: { clinicName: string; clinicPhone: string; code: string }, subject: string, lead: string, expires: string): RenderedMail {
  const ignore = 'If you did not ask for this, you can ignore this email; nothing has changed.';
  const contact = `Questions? Call ${p.clinicName} at ${p.clinicPhone}.`;
  const text = ['Hello,', '', lead, '', `Your one-time code is ${p.code}`, '', expires, '', ignore, '', contact].join('\n');
  const e = escapeHtml;
  const html = `<!doctype html><html lang="en"><body style="font-family:Arial,sans-serif;line-height:1.5;color:#1b2631">
<p>Hello,</p>
<p>${e(lead)}</p>
<p>Your one-time code is <strong style="font-family:monospace;font-size:1.4em;letter-spacing:0.15em">${e(p.code)}</strong></p>
<p>${e(expires)}</p>
<p>${e(ignore)}</p>
<p>${e(contact)}</p>
</body></html>`;
  return { subject, text, html };
}

/** A one-time recovery code. No name, no username, nothing about the patient's health. */
export interface RecoveryCodeMailPayload {
  clinicName: string;
  clinicPhone: string;
  kind: 'password' | 'username';
  code: string;
  minutes: number;
}

export function renderRecoveryCode(p: RecoveryCodeMailPayload): RenderedMail {
  const what = p.kind === 'password' ? 'reset your password' : 'find your username';
  const subject = `Your ${p.clinicName} Patient Portal code`;
  const lead = `Someone asked to ${what} for the ${p.clinicName} Patient Portal.`;
  const expires = `It expires in ${p.minutes} minutes and works once. Never share it: the clinic will not ask you for it.`;
  return oneTimeCodeMail(p, subject, lead, expires);
}

/** The code that confirms a patient's new email address, sent to that address. No health data. */
export interface EmailChangeCodeMailPayload {
  clinicName: string;
  clinicPhone: string;
  code: string;
  minutes: number;
}

export function renderEmailChangeCode(p: EmailChangeCodeMailPayload): RenderedMail {
  const subject = `Confirm your new email address for the ${p.clinicName} Patient Portal`;
  const lead = `Someone signed in to the ${p.clinicName} Patient Portal asked to use this email address for their account.`;
  const expires = `Enter the code on the Account page. It expires in ${p.minutes} minutes and works once. Never share it: the clinic will not ask you for it.`;
  return oneTimeCodeMail(p, subject, lead, expires);
}

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
