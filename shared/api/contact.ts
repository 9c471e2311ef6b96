/** Account → contact details (GET /api/account/contact and the answers of its writes). */
export interface ContactView {
  /** Empty for a patient invited by letter who has no email address yet. */
  email: string;
  phone: string;
  /** The new address waiting for its code, if a change was asked for and is still open. */
  pendingEmail: string | null;
}
