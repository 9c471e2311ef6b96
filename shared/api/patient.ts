/**
 * The patient portal's API after sign-in (cookie session; state-changing calls send x-csrf-token).
 * Every route is scoped on the server to the signed-in patient's own rows. Writes (POST/DELETE
 * except sign-out and opening) count against PATIENT_WRITES_PER_HOUR per account.
 *
 *   GET  /api/home                      → HomeSummary
 *   POST /api/record/view               → RecordBundle (shared/domain/record; audited, so a POST)
 *   GET  /api/physicians                → PhysicianOption[]
 *   GET  /api/appointments              → AppointmentsView
 *   POST /api/appointments              AppointmentRequestForm → AppointmentView (201)
 *   POST /api/appointments/:id/cancel   → AppointmentView
 *   POST /api/appointments/:id/accept   → AppointmentView     (a proposed time)
 *   POST /api/appointments/:id/decline  → AppointmentView     (a proposed time; back to the desk)
 *   GET  /api/renewals                  → RenewalView[]
 *   POST /api/renewals                  RenewalRequestForm → RenewalView (201)
 *   GET  /api/messages                  → ThreadSummaryView[]
 *   POST /api/messages                  NewThreadForm → ThreadView (201)
 *   POST /api/messages/:id/read         → ThreadView (marks the clinic's messages read, so a POST)
 *   POST /api/messages/:id/replies      ReplyForm → ThreadView (201)
 */
import type { AppointmentView } from '../domain/appointment';

export interface PhysicianOption {
  id: string;
  displayName: string;
}

export interface AppointmentsView {
  upcoming: AppointmentView[];
  past: AppointmentView[];
  /** Requests and proposals waiting for an answer, and recent declines. */
  open: AppointmentView[];
  /** The clinic's rule: how many hours before the start a patient may still cancel online. */
  cancelCutoffHours: number;
  timeZone: string;
}

export const HOME_UPDATE_KINDS = ['appointmentScheduled', 'appointmentProposed', 'appointmentDeclined', 'appointmentCancelled', 'renewalApproved', 'renewalDenied', 'newMessage', 'newLabResult', 'newVisitSummary'] as const;
export type HomeUpdateKind = (typeof HOME_UPDATE_KINDS)[number];

export interface HomeSummary {
  upcoming: AppointmentView[];
  unreadMessages: number;
  /** Renewal requests still waiting for the physician. */
  pendingRenewals: number;
  /** Short lines like "Your renewal of Lisinopril was approved." — newest first, at most 5. */
  /**
   * `text` is the English sentence; `kind` and `params` let the portal say it in the patient's
   * language (params: start is an ISO instant, the others are names or the patient's own words).
   */
  recentUpdates: { at: string; text: string; link: 'appointments' | 'renewals' | 'messages' | 'record'; kind: HomeUpdateKind; params: Record<string, string> }[];
}
