/** The patient's home page: what is coming up and what is new. */
import { In, IsNull, MoreThan } from 'typeorm';
import type { HomeSummary, HomeUpdateKind as UpdateKind } from '../../../../shared/api/patient';
import type { LabResultFields, VisitSummaryFields } from '../../../../shared/domain/record';
import { MessageThreadEntity, RecordEntryEntity, RenewalRequestEntity } from '../../../../shared/node/entities/clinical';
import { formatInstant } from '../../../../shared/time/instant';
import { groupAppointments, ownAppointments } from '../appointments/patientService';
import { staffNames } from '../appointments/views';
import type { PatientCall } from '../calls';

const RECENT_MS = 30 * 86_400_000;
const MAX_UPDATES = 5;
type Update = HomeSummary['recentUpdates'][number];

export async function homeSummary(c: PatientCall): Promise<HomeSummary> {
  const own = { patientId: c.patient.id, clinicId: c.clinic.id, deletedAt: IsNull() };
  const since = new Date(c.ctx.now().getTime() - RECENT_MS).toISOString();
  const zone = c.clinic.timeZone;
  // One read of the patient's appointments and one of the physicians' names serve both the
  // upcoming list and the updates.
  const appointments = await ownAppointments(c);
  const names = await staffNames(c.m, appointments.map((a) => a.physicianId));
  const { upcoming } = groupAppointments(c, appointments, names);
  // Only what the page shows: threads with something unread, renewals waiting or decided lately
  // (a patient's whole history grows for years; reading it all made every home view slower).
  const threads = await c.m.find(MessageThreadEntity, { where: { ...own, unreadForPatient: MoreThan(0) } });
  const renewals = await c.m.find(RenewalRequestEntity, { where: [{ ...own, status: 'requested' }, { ...own, decidedAt: MoreThan(since) }] });
  const updates: Update[] = [];

  const changed = appointments.filter((a) => ['scheduled', 'proposed', 'declined', 'cancelled'].includes(a.status) && a.updatedAt > since);
  for (const a of changed) {
    const when = a.startAt ? formatInstant(a.startAt, zone) : '';
    const withWhom = a.physicianId && names.get(a.physicianId) ? ` with ${names.get(a.physicianId)}` : '';
    const who = a.physicianId ? names.get(a.physicianId) : undefined;
    const kind: UpdateKind | null =
      a.status === 'scheduled' ? 'appointmentScheduled'
      : a.status === 'proposed' ? 'appointmentProposed'
      : a.status === 'declined' ? 'appointmentDeclined'
      : a.cancelledBy === 'staff' ? 'appointmentCancelled'
      : null;
    const text =
      kind === 'appointmentScheduled' ? `Your appointment on ${when}${withWhom} is scheduled.`
      : kind === 'appointmentProposed' ? `The clinic proposed a new time for your appointment: ${when}. Please accept or decline it.`
      : kind === 'appointmentDeclined' ? 'Your appointment request was declined. See the reason under Appointments.'
      : kind === 'appointmentCancelled' ? `Your appointment${when ? ` on ${when}` : ''} was cancelled by the clinic.`
      : null;
    if (kind && text) {
      updates.push({ at: a.updatedAt, text, link: 'appointments', kind, params: { ...(a.startAt ? { start: a.startAt } : {}), ...(who ? { physician: who } : {}) } });
    }
  }
  for (const r of renewals) {
    if (r.status !== 'requested' && r.decidedAt && r.decidedAt > since) {
      updates.push({ at: r.decidedAt, text: `Your renewal of ${r.medicationName} was ${r.status}.`, link: 'renewals', kind: r.status === 'approved' ? 'renewalApproved' : 'renewalDenied', params: { medication: r.medicationName } });
    }
  }
  for (const t of threads) {
    if (t.unreadForPatient > 0) {
      updates.push({ at: t.lastMessageAt, text: `New message from the clinic: ${t.subject}`, link: 'messages', kind: 'newMessage', params: { subject: t.subject } });
    }
  }
  // New results and visit notes: added lately, about something recent (not old history typed in today).
  const sinceDate = since.slice(0, 10);
  const entries = await c.m.find(RecordEntryEntity, { where: { ...own, kind: In(['labResult', 'visitSummary']), createdAt: MoreThan(since) } });
  for (const e of entries) {
    const fields = JSON.parse(e.fields) as LabResultFields | VisitSummaryFields;
    if (fields.date >= sinceDate) {
      const text = e.kind === 'labResult' ? `New lab result: ${(fields as LabResultFields).test}` : `New visit summary: ${(fields as VisitSummaryFields).reason}`;
      const kind: UpdateKind = e.kind === 'labResult' ? 'newLabResult' : 'newVisitSummary';
      const name = e.kind === 'labResult' ? (fields as LabResultFields).test : (fields as VisitSummaryFields).reason;
      updates.push({ at: e.createdAt, text, link: 'record', kind, params: { name } });
    }
  }

  return {
    upcoming: upcoming.slice(0, 3),
    unreadMessages: threads.reduce((sum, t) => sum + t.unreadForPatient, 0),
    pendingRenewals: renewals.filter((r) => r.status === 'requested').length,
    recentUpdates: updates.sort((a, b) => b.at.localeCompare(a.at)).slice(0, MAX_UPDATES),
  };
}
