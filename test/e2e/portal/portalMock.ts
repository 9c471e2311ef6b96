import { resolve } from 'node:path';
import { expect } from '@playwright/test';
import type { Page, Route } from '@playwright/test';
import type { AppointmentsView, HomeSummary, PhysicianOption } from '../../../shared/api/patient';
import type { ApiErrorResponse } from '../../../shared/api/errors';
import type { AppointmentView } from '../../../shared/domain/appointment';
import type { ThreadView } from '../../../shared/domain/message';
import type { RecordBundle } from '../../../shared/domain/record';
import type { RenewalView } from '../../../shared/domain/renewal';
import { startStaticServer } from '../../fixtures/staticServer';
import type { StaticServer } from '../../fixtures/staticServer';
import { CLINIC, DR_NG, DR_PATEL, SESSION, appointmentsView, homeSummary, recordBundle, renewals, threads } from './portalData';

/**
 * The patient API answered in the page, with state: what the page sends changes what it reads
 * next, like the real server. `answerOnce` makes one route fail (or answer oddly) for a test.
 */

export interface SentRequest {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}
export interface Answer {
  status: number;
  body?: unknown;
}

export interface PortalState {
  signedIn: boolean;
  home: HomeSummary;
  record: RecordBundle;
  physicians: PhysicianOption[];
  appointments: AppointmentsView;
  renewals: RenewalView[];
  threads: ThreadView[];
}

export interface PortalMock {
  state: PortalState;
  sent: SentRequest[];
  /** The next request to `METHOD /path` gets this answer instead (repeat with `times`). */
  answerOnce(key: string, answer: Answer, times?: number): void;
  /** Requests sent to `METHOD /path`. */
  sentTo(key: string): SentRequest[];
}

export const notSignedIn: ApiErrorResponse = { error: { code: 'not_signed_in', message: 'Sign in to continue.' } };

export function usePortalServer(test: { beforeAll: (fn: () => Promise<void>) => void; afterAll: (fn: () => Promise<void>) => void }) {
  const holder: { server: StaticServer | null } = { server: null };
  test.beforeAll(async () => {
    holder.server = await startStaticServer(resolve(__dirname, '../../../out/portal-web'));
  });
  test.afterAll(async () => {
    await holder.server?.close();
  });
  return (path: string): string => `${holder.server?.url ?? ''}${path}`;
}

const summaryOf = ({ messages: _messages, ...summary }: ThreadView) => summary;
const now = () => new Date().toISOString();

export async function mockPortal(page: Page, overrides: Partial<PortalState> = {}): Promise<PortalMock> {
  const state: PortalState = {
    signedIn: true,
    home: homeSummary(),
    record: recordBundle(),
    physicians: [DR_PATEL, DR_NG],
    appointments: appointmentsView(),
    renewals: renewals(),
    threads: threads(),
    ...overrides,
  };
  const once = new Map<string, Answer[]>();
  const sent: SentRequest[] = [];

  function moveAppointment(id: string, change: Partial<AppointmentView>): AppointmentView | null {
    const view = state.appointments;
    const found = [...view.upcoming, ...view.open, ...view.past].find((a) => a.id === id);
    if (!found) {
      return null;
    }
    const changed = { ...found, ...change };
    const others = (list: AppointmentView[]) => list.filter((a) => a.id !== id);
    view.upcoming = others(view.upcoming);
    view.open = others(view.open);
    view.past = others(view.past);
    if (changed.status === 'scheduled') {
      view.upcoming.push(changed);
    } else if (changed.status === 'requested' || changed.status === 'proposed') {
      view.open.unshift(changed);
    } else {
      view.past.unshift(changed);
    }
    return changed;
  }

  function answerFor(method: string, path: string, body: unknown): Answer {
    const key = `${method} ${path}`;
    const thread = /^\/api\/messages\/([^/]+)\/(replies|read)$/.exec(path);
    const action = /^\/api\/appointments\/([^/]+)\/(cancel|accept|decline)$/.exec(path);
    if (key === 'GET /api/clinic') {
      return { status: 200, body: CLINIC };
    }
    if (key === 'DELETE /api/session') {
      state.signedIn = false;
      return { status: 204 };
    }
    if (key === 'POST /api/session') {
      state.signedIn = true;
      return { status: 200, body: SESSION };
    }
    if (!state.signedIn) {
      return { status: 401, body: notSignedIn };
    }
    if (key === 'GET /api/session') {
      return { status: 200, body: SESSION };
    }
    if (key === 'GET /api/home') {
      return { status: 200, body: { ...state.home, unreadMessages: state.threads.reduce((n, t) => n + t.unread, 0) } };
    }
    if (key === 'POST /api/record/view') {
      return { status: 200, body: state.record };
    }
    if (key === 'GET /api/physicians') {
      return { status: 200, body: state.physicians };
    }
    if (key === 'GET /api/appointments') {
      return { status: 200, body: state.appointments };
    }
    if (key === 'POST /api/appointments') {
      const form = body as { reason: string; preferredPhysicianId: string | null; preferredTimes: string };
      const created: AppointmentView = {
        id: `ap-new-${sent.length}`, status: 'requested', reason: form.reason, preferredTimes: form.preferredTimes,
        physicianName: null, start: null, end: null, staffNote: null, requestedAt: now(), canCancel: false,
      };
      state.appointments.open.unshift(created);
      return { status: 201, body: created };
    }
    if (method === 'POST' && action) {
      const [, id = '', verb] = action;
      const status = verb === 'cancel' ? 'cancelled' : verb === 'accept' ? 'scheduled' : 'requested';
      const changed = moveAppointment(id, { status, canCancel: verb === 'accept', ...(verb === 'decline' ? { start: null, physicianName: null } : {}) });
      return changed ? { status: 200, body: changed } : { status: 404, body: { error: { code: 'not_found', message: 'That appointment was not found.' } } };
    }
    if (key === 'GET /api/renewals') {
      return { status: 200, body: state.renewals };
    }
    if (key === 'POST /api/renewals') {
      const form = body as { medicationId: string; pharmacy: string; note: string };
      const medication = state.record.medication.find((m) => m.id === form.medicationId);
      const created: RenewalView = {
        id: `rn-new-${sent.length}`, medicationId: form.medicationId, medicationName: medication?.name ?? '?', pharmacy: form.pharmacy,
        note: form.note, status: 'requested', decisionNote: null, decidedByName: null, decidedAt: null, requestedAt: now(),
      };
      state.renewals.unshift(created);
      return { status: 201, body: created };
    }
    if (key === 'GET /api/messages') {
      return { status: 200, body: state.threads.map(summaryOf) };
    }
    if (key === 'POST /api/messages') {
      const form = body as { subject: string; body: string };
      const created: ThreadView = {
        id: `th-new-${sent.length}`, subject: form.subject, status: 'open', lastMessageAt: now(), unread: 0, assignedToName: null,
        messages: [{ id: `m-new-${sent.length}`, mine: true, authorName: 'William Hart', body: form.body, sentAt: now(), readAt: null }],
      };
      state.threads.unshift(created);
      return { status: 201, body: created };
    }
    if (thread) {
      const found = state.threads.find((t) => t.id === thread[1]);
      if (!found) {
        return { status: 404, body: { error: { code: 'not_found', message: 'That conversation was not found.' } } };
      }
      if (method === 'POST' && thread[2] === 'read') {
        found.unread = 0;
        return { status: 200, body: found };
      }
      if (method === 'POST' && thread[2] === 'replies') {
        const form = body as { body: string };
        found.messages.push({ id: `m-new-${sent.length}`, mine: true, authorName: 'William Hart', body: form.body, sentAt: now(), readAt: null });
        found.lastMessageAt = now();
        return { status: 201, body: found };
      }
    }
    return { status: 404, body: { error: { code: 'not_found', message: 'Not found.' } } };
  }

  await page.route('**/api/**', async (route: Route) => {
    const request = route.request();
    const method = request.method();
    const path = new URL(request.url()).pathname;
    const body = request.postData() ? (request.postDataJSON() as unknown) : undefined;
    sent.push({ method, path, body, headers: request.headers() });
    const key = `${method} ${path}`;
    const queued = once.get(key);
    const answer = queued && queued.length > 0 ? (queued.shift() as Answer) : answerFor(method, path, body);
    await route.fulfill({
      status: answer.status,
      contentType: 'application/json',
      body: answer.body === undefined ? '' : JSON.stringify(answer.body),
    });
  });

  return {
    state,
    sent,
    answerOnce(key, answer, times = 1) {
      once.set(key, [...(once.get(key) ?? []), ...Array.from({ length: times }, () => answer)]);
    },
    sentTo(key) {
      return sent.filter((r) => `${r.method} ${r.path}` === key);
    },
  };
}

/** Opens a page of the signed-in portal and waits for its heading. */
export async function openPage(page: Page, url: string, heading: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
}

/** Nothing wider than the screen: a phone user never scrolls sideways. */
export async function expectNoSidewaysScroll(page: Page, width: number): Promise<void> {
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
}
