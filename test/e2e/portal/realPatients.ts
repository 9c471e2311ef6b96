import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import type { ApiResult, ClinicTeam, PatientClient, StaffDesk } from '../../fixtures/patients';
import { clinicTeam, registerPatient } from '../../fixtures/patients';
import type { TestPortal } from '../../fixtures/portal';
import { startTestPortal } from '../../fixtures/portal';
import type { PortalConfig } from '../../../portal-server/server/index';
import type { ThreadView } from '../../../shared/domain/message';
import type { RecordFields, RecordKind } from '../../../shared/domain/record';
import type { RenewalView } from '../../../shared/domain/renewal';
import type { MutationArgs, MutationOutcome } from '../../../shared/sync/protocol';

/**
 * Specs against a REAL portal server: the clinic's staff, and patients registered through the
 * invitation email (their password is Password1; answers Rex / Springfield).
 */
export interface RealPortal {
  portal: TestPortal;
  team: ClinicTeam;
  /** Registers a new patient with a unique email (and family name, unless one is given). */
  newPatient(givenName: string, familyName?: string): Promise<PatientClient>;
}

export async function startRealPortal(config: Partial<PortalConfig> = {}): Promise<RealPortal> {
  const portal = await startTestPortal({ config });
  const team = await clinicTeam(portal);
  let n = 0;
  return {
    portal,
    team,
    newPatient: async (givenName, familyName) => {
      n += 1;
      return registerPatient(portal, team.desk.console, { givenName, familyName: familyName ?? `Tester${n}` });
    },
  };
}

/** The security answer registerPatient chose for the question the page shows. */
export const ANSWERS: Record<string, string> = {
  'What was the name of your first pet?': 'Rex',
  'In what city were you born?': 'Springfield',
};

export async function signInThroughPage(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Welcome/ })).toBeVisible();
}

/** Nothing wider than the screen: a phone user never scrolls sideways. */
export async function expectNoSidewaysScroll(page: Page, width: number): Promise<void> {
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
}

/** Opens a page of the signed-in portal and waits for its heading. */
export async function openPage(page: Page, url: string, heading: string | RegExp): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
}

/** A visit far ahead (9:30 AM CST on Thursday, December 5, 2030 at the test clinic), so its text never changes. */
export const FAR_VISIT = '2030-12-05T15:30:00.000Z';

function applied(outcome: MutationOutcome, what: string): void {
  if (outcome.status !== 'applied') {
    throw new Error(`${what} was not applied: ${JSON.stringify(outcome)}`);
  }
}

function created<T>(res: ApiResult<T>, what: string): T {
  if (res.status !== 201) {
    throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** The physician adds one entry to the patient's chart, as the console does. */
export async function addRecordEntry<K extends RecordKind>(real: RealPortal, pat: PatientClient, kind: K, fields: RecordFields[K]): Promise<string> {
  const entryId = randomUUID();
  applied(await real.team.doctor.apply('saveRecordEntry', { kind, entryId, patientId: pat.patientId, fields, baseVersion: 0 } as MutationArgs['saveRecordEntry']), `adding a ${kind}`);
  return entryId;
}

/**
 * A chart like the one a returning patient has: a problem, two active medications and a stopped
 * one, a flu shot, a high and a normal lab value, and a visit summary over two lines.
 */
export async function fillRecord(real: RealPortal, pat: PatientClient): Promise<{ lisinopril: string; metformin: string }> {
  await addRecordEntry(real, pat, 'problem', { name: 'High blood pressure', status: 'active', onsetDate: '2021-03-09', note: '' });
  const lisinopril = await addRecordEntry(real, pat, 'medication', { name: 'Lisinopril', dose: '10 mg', instructions: 'Once a day', prescriberName: 'Dr. Sam Patel', refillsLeft: 2, active: true });
  const metformin = await addRecordEntry(real, pat, 'medication', { name: 'Metformin', dose: '500 mg', instructions: 'Twice a day with meals', prescriberName: 'Dr. Sam Patel', refillsLeft: 0, active: true });
  await addRecordEntry(real, pat, 'medication', { name: 'Amoxicillin', dose: '250 mg', instructions: '', prescriberName: 'Dr. Lee Ng', refillsLeft: 0, active: false });
  await addRecordEntry(real, pat, 'immunization', { vaccine: 'Influenza', date: '2025-10-02', note: '' });
  await addRecordEntry(real, pat, 'labResult', { test: 'LDL cholesterol', value: '162', unit: 'mg/dL', referenceRange: '< 130', flag: 'high', date: '2026-10-15' });
  await addRecordEntry(real, pat, 'labResult', { test: 'Hemoglobin A1c', value: '5.4', unit: '%', referenceRange: '4.0–5.6', flag: 'normal', date: '2026-10-15' });
  await addRecordEntry(real, pat, 'visitSummary', { date: '2026-10-15', physicianName: 'Dr. Sam Patel', reason: 'Blood pressure check', summary: 'Pressure 128/82.\nKeep taking lisinopril.' });
  return { lisinopril, metformin };
}

/** The patient asks for a renewal through the API (as their browser would). */
export async function askRenewal(pat: PatientClient, medicationId: string, pharmacy = '', note = ''): Promise<RenewalView> {
  return created(await pat.post<RenewalView>('/api/renewals', { medicationId, pharmacy, note }), 'asking for a renewal');
}

/** The physician answers a renewal request. */
export async function decideRenewal(real: RealPortal, renewalId: string, decision: 'approved' | 'denied', note = ''): Promise<void> {
  applied(await real.team.doctor.apply('decideRenewal', { renewalId, decision, note, refillsGranted: null, baseVersion: 1 }), `the renewal ${decision}`);
}

/** The patient starts a conversation through the API. */
export async function startThread(pat: PatientClient, subject: string, body: string): Promise<ThreadView> {
  return created(await pat.post<ThreadView>('/api/messages', { subject, body }), 'starting a conversation');
}

/** A staff member answers in a conversation. */
export async function staffReply(desk: StaffDesk, threadId: string, body: string): Promise<string> {
  const messageId = randomUUID();
  applied(await desk.apply('replyToThread', { threadId, messageId, body }), 'a staff reply');
  return messageId;
}

/** The desk books a visit with the clinic's physician directly. */
export async function bookVisit(real: RealPortal, pat: PatientClient, start: string, reason: string, durationMinutes = 20): Promise<string> {
  const appointmentId = randomUUID();
  applied(await real.team.desk.apply('createAppointment', { appointmentId, patientId: pat.patientId, physicianId: real.team.doctor.id, start, durationMinutes, reason }), 'booking a visit');
  return appointmentId;
}
