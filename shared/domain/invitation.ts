/** Invitation status: one enum for the console, the server and the patient portal. */
export const INVITATION_STATUSES = [
  'queued', // on the console, not yet on the server
  'sent', // mail handed to the mail outbox / delivered
  'failed', // mail could not be delivered after retries
  'registered',
  'expired',
  'revoked',
  'locked', // too many wrong verification tries
] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/**
 * How the invitation's Registration ID left the clinic, beside its status (docs/decisions.md):
 * 'queued' waits in the server's mail outbox; 'emailed' was accepted by the clinic's SMTP server;
 * 'not_emailed_no_smtp' was only written to the mail folder because outgoing mail is not set up;
 * 'failed' could not be delivered; 'letter' was printed. null: recorded before delivery states existed.
 */
export const INVITATION_DELIVERY_STATES = ['queued', 'emailed', 'not_emailed_no_smtp', 'failed', 'letter'] as const;
export type InvitationDeliveryState = (typeof INVITATION_DELIVERY_STATES)[number];

/** The sentence the desk sees instead of "Sent" when no mail left the building. */
export const NOT_EMAILED_NO_SMTP = 'Not emailed: outgoing mail is not set up';

/** What the desk sees for a live ("sent") invitation, by how it was delivered. */
const LIVE_DELIVERY_LABELS: Record<InvitationDeliveryState, string> = {
  queued: 'Email waiting to go out',
  emailed: 'Sent',
  not_emailed_no_smtp: NOT_EMAILED_NO_SMTP,
  failed: 'Delivery failed',
  letter: 'Letter printed',
};

/** An invitation's status in the desk's words: a live invitation says how it went out. */
export function invitationStatusLabel(inv: { status: InvitationStatus; deliveryState?: InvitationDeliveryState | null }): string {
  if (inv.status === 'sent' && inv.deliveryState) {
    return LIVE_DELIVERY_LABELS[inv.deliveryState];
  }
  return INVITATION_STATUS_LABELS[inv.status];
}

/** Statuses in which a patient may still complete registration. */
export const LIVE_INVITATION_STATUSES: readonly InvitationStatus[] = ['sent'];

export const INVITATION_STATUS_LABELS: Record<InvitationStatus, string> = {
  queued: 'Waiting to send',
  sent: 'Sent',
  failed: 'Delivery failed',
  registered: 'Registered',
  expired: 'Expired',
  revoked: 'Revoked',
  locked: 'Locked',
};

/** Wrong date-of-birth / Registration ID tries before an invitation locks. */
export const MAX_VERIFICATION_TRIES = 5;

/** Registration IDs use characters that cannot be confused when read aloud or typed. */
export const REGISTRATION_ID_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const REGISTRATION_ID_LENGTH = 8;

/** "ab c2-3d" → "ABC23D": what the patient typed, compared without spaces, dashes or case. */
export function normaliseRegistrationId(typed: string): string {
  return typed.replace(/[\s-]/g, '').toUpperCase();
}

/** "ABCD2345" → "ABCD-2345", the way it is printed in the email. */
export function formatRegistrationId(id: string): string {
  return id.length === 8 ? `${id.slice(0, 4)}-${id.slice(4)}` : id;
}

/** The patient guide's step 1, word for word (shown on Sign In; pinned to the guide by a test). */
export const JUNK_MAIL_HINT = 'An invitation email will be sent to your email "Inbox." If you do not see the email in your Inbox, check "Junk E-mail."';

/** A sent invitation not registered after this many days needs the desk's attention. */
export const INVITATION_ATTENTION_DAYS = 7;
/** Why an invitation is on the desk's "Invitations needing attention" list. */
export type InvitationAttentionReason = 'expired' | 'failed' | 'locked' | 'not_registered';
