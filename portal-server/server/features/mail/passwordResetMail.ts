import { formatDateInZone } from '../../../../shared/time/instant';
import type { RenderedMail } from './templates';

/** A front-desk password reset. No name, no username, nothing about the patient's health. */
export interface PasswordResetMailPayload {
  clinicName: string;
  clinicPhone: string;
  timeZone: string;
  /** PUBLIC_URL/reset-password#token=… (the token in the fragment never reaches a server log). */
  link: string;
  expiresAt: string;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function renderPasswordReset(p: PasswordResetMailPayload): RenderedMail {
  const expires = formatDateInZone(p.expiresAt, p.timeZone);
  const subject = `Set a new password for your ${p.clinicName} Patient Portal`;
  const lead = 'Your clinic has sent you a link to set a new password for your Patient Portal account.';
  const once = `The link works once and expires on ${expires}. Setting a new password signs you out on every device.`;
  const ignore = `If you did not ask your clinic for this, you can ignore this email, or call ${p.clinicName} at ${p.clinicPhone}.`;
  const text = ['Hello,', '', lead, '', `Set a new password: ${p.link}`, '', once, '', ignore].join('\n');
  const e = escapeHtml;
  const html = `<!doctype html><html lang="en"><body style="font-family:Arial,sans-serif;line-height:1.5;color:#1b2631">
<p>Hello,</p>
<p>${e(lead)}</p>
<p><a href="${e(p.link)}" style="display:inline-block;padding:10px 18px;background:#1d5c96;color:#ffffff;text-decoration:none;border-radius:4px">Set a new password</a></p>
<p>${e(once)}</p>
<p>${e(ignore)}</p>
</body></html>`;
  return { subject, text, html };
}
