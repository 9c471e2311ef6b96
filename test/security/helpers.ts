/**
 * The hostile suite's tools: a real portal server on 127.0.0.1 seeded with the demo clinic, raw
 * HTTP as an attacker sends it, and snapshots of the database to prove a refusal changed nothing.
 */
import { PATIENT_ANSWERS } from '../fixtures/patients';
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { DEMO, seedDemo } from '../../portal-server/server/demo';
import type { ApiErrorResponse, ErrorCode } from '../../shared/api/errors';
import type { PatientSessionView, StaffSignInResponse } from '../../shared/api/types';
import { CSRF_HEADER, SESSION_COOKIE } from '../../shared/api/types';
import type { Database } from '../../shared/node/db';
import type { Mutation, MutationArgs, MutationName, PushResponse } from '../../shared/sync/protocol';
import { SYNC_PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../shared/sync/protocol';
import { readMails, waitForMail } from '../fixtures/mail';
import type { TestPortal } from '../fixtures/portal';
import { startTestPortal } from '../fixtures/portal';
import { portable } from '../fixtures/sql';

export { DEMO };

export const XSS_IMG = '<img src=x onerror=alert(1)>';
export const XSS_SCRIPT = '<script>alert(2)</script>';
export const SQL_STRINGS = ["' OR 1=1 --", '"; DROP TABLE patient; --', "x' UNION SELECT passwordHash FROM patient_account --", '%', '_', '%_%'] as const;

/** Tables a refused request must never touch (sessions, devices, audit and counters may legitimately move). */
export const DOMAIN_TABLES = [
  'patient',
  'patient_account',
  'staff_user',
  'invitation',
  'appointment',
  'renewal_request',
  'message_thread',
  'message',
  'record_entry',
  'change_log',
  'mail_outbox',
] as const;
export type TableName = (typeof DOMAIN_TABLES)[number] | 'patient_session' | 'device' | 'audit_event' | 'client_mutation' | 'mutation_rejection' | 'mutation_intent' | 'client_binding';

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

let ipCounter = 0;
/** A fresh client address (TEST-NET ranges), so per-address limits of one case never spill into another. */
export function nextIp(): string {
  ipCounter += 1;
  return `198.51.${100 + Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
}

/** Raw HTTP: whatever method, headers and body an attacker chooses. `rawBody` is sent as is. */
export async function http<T = unknown>(
  url: string,
  path: string,
  init: { method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const hasBody = init.body !== undefined || init.rawBody !== undefined;
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? (hasBody ? 'POST' : 'GET'),
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    redirect: 'manual',
  });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('application/json') && text) {
    body = JSON.parse(text);
  }
  return { status: res.status, body: body as T, text, headers: res.headers };
}

/** Asserts the refusal: the status and the stable error code of `{ error: { code, message } }`. */
export function expectRefused(res: HttpResult, status: number, code: ErrorCode): void {
  expect({ status: res.status, code: (res.body as ApiErrorResponse | null)?.error?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
}

/** The session cookie's value from a Set-Cookie header (null when none was set). */
export function sessionCookieOf(res: HttpResult): string | null {
  const setCookie = res.headers.get('set-cookie') ?? '';
  const match = new RegExp(`${SESSION_COOKIE}=([^;]*)`).exec(setCookie);
  return match?.[1] ? match[1] : null;
}

/** A patient's browser as the server sees it: a cookie, a CSRF token, an address and an Origin. */
export class PatientBrowser {
  constructor(
    readonly url: string,
    readonly cookie: string,
    readonly csrfToken: string,
    readonly ip: string,
  ) {}

  get cookieHeader(): string {
    return `${SESSION_COOKIE}=${this.cookie}`;
  }

  get<T = unknown>(path: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return http<T>(this.url, path, { headers: { cookie: this.cookieHeader, 'x-forwarded-for': this.ip, ...headers } });
  }

  /** A state-changing call as the portal's own page makes it; `headers` may override or (with '') drop any of them. */
  send<T = unknown>(path: string, body: unknown = {}, options: { method?: string; headers?: Record<string, string> } = {}): Promise<HttpResult<T>> {
    const headers: Record<string, string> = {
      cookie: this.cookieHeader,
      [CSRF_HEADER]: this.csrfToken,
      origin: this.url,
      'x-forwarded-for': this.ip,
      ...options.headers,
    };
    for (const [k, v] of Object.entries(headers)) {
      if (v === '') {
        delete headers[k];
      }
    }
    return http<T>(this.url, path, { method: options.method ?? 'POST', body, headers });
  }
}

export async function signInPatient(url: string, username: string, password: string, ip = nextIp()): Promise<PatientBrowser> {
  const res = await http<PatientSessionView>(url, '/api/session', { body: { username, password }, headers: { origin: url, 'x-forwarded-for': ip } });
  const cookie = sessionCookieOf(res);
  if (res.status !== 200 || !cookie) {
    throw new Error(`patient sign-in failed: ${res.status} ${res.text}`);
  }
  return new PatientBrowser(url, cookie, res.body.csrfToken, ip);
}

export async function signInStaff(url: string, username: string, password: string): Promise<StaffSignInResponse> {
  const res = await http<StaffSignInResponse>(url, '/api/staff/sign-in', { body: { username, password, deviceName: 'Hostile test' }, headers: { 'x-forwarded-for': nextIp() } });
  if (res.status !== 200) {
    throw new Error(`staff sign-in failed: ${res.status} ${res.text}`);
  }
  return res.body;
}

/**
 * A console: a bearer token, a client id and a contiguous mutation seq. Its token claims its fresh
 * id before its first push, as a console does (one token may serve several desks in a test).
 */
export class Desk {
  readonly clientId = randomUUID();
  private seq = 0;
  private claimed = false;
  constructor(
    readonly url: string,
    readonly token: string,
    readonly staffId: string,
  ) {}

  mutation<N extends MutationName>(name: N, args: MutationArgs[N]): Mutation<N> {
    this.seq += 1;
    return { seq: this.seq, name, argsVersion: 1, args, createdAt: new Date().toISOString(), staffUserId: this.staffId };
  }

  async push(mutations: Mutation[], options: { token?: string; clientId?: string } = {}): Promise<HttpResult<PushResponse>> {
    if (!this.claimed && options.token === undefined && options.clientId === undefined) {
      // A refused claim (a revoked token) is left for the push to answer.
      this.claimed = (await this.call('/api/sync/client', { body: { clientId: this.clientId } })).status === 204;
    }
    return http<PushResponse>(this.url, '/api/sync/push', {
      body: { clientId: options.clientId ?? this.clientId, mutations },
      headers: { authorization: `Bearer ${options.token ?? this.token}`, [SYNC_PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION) },
    });
  }

  /** Pushes one mutation; returns its outcome. */
  async apply<N extends MutationName>(name: N, args: MutationArgs[N]): Promise<PushResponse['outcomes'][number]> {
    const res = await this.push([this.mutation(name, args)]);
    const outcome = res.body.outcomes?.[0];
    if (!outcome) {
      throw new Error(`push returned no outcome: ${res.status} ${res.text}`);
    }
    return outcome;
  }

  /** A staff API call with this console's token. */
  call<T = unknown>(path: string, init: { method?: string; body?: unknown } = {}): Promise<HttpResult<T>> {
    return http<T>(this.url, path, { ...init, headers: { authorization: `Bearer ${this.token}`, [SYNC_PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION) } });
  }
}

export interface DemoPatientIds {
  username: string;
  password: string;
  patientId: string;
  accountId: string;
}

/** The seeded demo clinic on a real server, its staff signed in to their consoles. */
export interface HostilePortal {
  portal: TestPortal;
  url: string;
  db: Database;
  admin: Desk;
  receptionist: Desk;
  physician: Desk;
  /** Patient A (James Walker) and patient B (Ana Silva), both registered with data. */
  james: DemoPatientIds;
  ana: DemoPatientIds;
  /** Every row of the given tables (all domain tables by default), after delivering due mail. */
  snapshot(tables?: readonly TableName[]): Promise<Record<string, string[]>>;
  count(table: TableName, where?: string, params?: unknown[]): Promise<number>;
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Pre-registers someone new at the desk and returns their invitation as the email carries it. */
  invite(person?: { givenName?: string; familyName?: string }): Promise<Invitation>;
  stop(): Promise<void>;
}

export interface Invitation {
  patientId: string;
  invitationId: string;
  email: string;
  token: string;
  registrationId: string;
  /** As the patient types it. */
  dateOfBirth: string;
}

/**
 * Starts the demo clinic. With `trustProxy` (the default) the server trusts 127.0.0.1 as its proxy,
 * so each case can speak from its own X-Forwarded-For address.
 */
export async function startHostilePortal(options: { trustProxy?: boolean } = {}): Promise<HostilePortal> {
  const portal = await startTestPortal({ setUp: false, config: options.trustProxy === false ? {} : { trustProxy: 'loopback' } });
  await seedDemo(portal.handle.context);
  await portal.handle.flushMail();
  const db = portal.handle.context.db;
  const url = portal.url;
  // Written for SQLite; on PostgreSQL (npm run test:postgres) rewritten by `portable`.
  // A SELECT reads (on SQLite, on a read-only connection); anything else the tests set up is a write.
  const rows = <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (/^\s*select\b/i.test(sql) ? db.read.bind(db) : db.write.bind(db))((m) => m.query(portable(db.engine, sql), params) as Promise<T[]>);
  const desk = async (who: { username: string; password: string }): Promise<Desk> => {
    const s = await signInStaff(url, who.username, who.password);
    return new Desk(url, s.token, s.staff.id);
  };
  const [receptionist, physician] = DEMO.staff;
  const [jamesDemo, anaDemo] = DEMO.registered;
  if (!receptionist || !physician || !jamesDemo || !anaDemo) {
    throw new Error('The demo clinic lacks its receptionist, physician or registered patients.');
  }
  const patientIds = async (p: { username: string; password: string }): Promise<DemoPatientIds> => {
    const [row] = await rows<{ id: string; patientId: string }>('SELECT id, patientId FROM patient_account WHERE usernameNormalized = ?', [p.username.toLowerCase()]);
    if (!row) {
      throw new Error(`no account for ${p.username}`);
    }
    return { username: p.username, password: p.password, patientId: row.patientId, accountId: row.id };
  };
  const hp: HostilePortal = {
    portal,
    url,
    db,
    admin: await desk(DEMO.admin),
    receptionist: await desk(receptionist),
    physician: await desk(physician),
    james: await patientIds(jamesDemo),
    ana: await patientIds(anaDemo),
    rows,
    snapshot: async (tables = DOMAIN_TABLES) => {
      await portal.handle.flushMail();
      const out: Record<string, string[]> = {};
      for (const table of tables) {
        out[table] = (await rows<Record<string, unknown>>(`SELECT * FROM "${table}"`)).map((r) => JSON.stringify(r)).sort();
      }
      return out;
    },
    count: async (table, where = '1 = 1', params = []) => {
      const [row] = await rows<{ n: number }>(`SELECT COUNT(*) AS n FROM "${table}" WHERE ${where}`, params);
      return Number(row?.n ?? 0);
    },
    invite: async (person = {}) => {
      const email = `invitee.${randomUUID().slice(0, 8)}@example.com`;
      const before = (await readMails(portal.mailDir)).filter((m) => m.to.includes(email)).length;
      const patientId = randomUUID();
      const invitationId = randomUUID();
      const outcome = await hp.receptionist.apply('preRegisterPatient', {
        patientId,
        givenName: person.givenName ?? 'Nina',
        familyName: person.familyName ?? 'Novak',
        dateOfBirth: '1986-04-12',
        email,
        phone: '',
        invitationId,
      });
      if (outcome.status !== 'applied') {
        throw new Error(`pre-registration failed: ${JSON.stringify(outcome)}`);
      }
      await portal.handle.flushMail();
      const mail = await waitForMail(portal.mailDir, email, { after: before });
      const token = decodeURIComponent(new URL(mail.link ?? 'http://x/').hash.replace('#token=', ''));
      return { patientId, invitationId, email, token, registrationId: mail.registrationId ?? '', dateOfBirth: '04/12/1986' };
    },
    stop: () => portal.stop(),
  };
  return hp;
}

/** The "Complete Registration" form for an invitation, with a fresh valid username. */
export function registrationBody(inv: Pick<Invitation, 'token' | 'registrationId' | 'dateOfBirth'>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    token: inv.token,
    username: `Newcomer${randomUUID().slice(0, 6)}`,
    ...PATIENT_ANSWERS,
    dateOfBirth: inv.dateOfBirth,
    registrationId: inv.registrationId,
    ...overrides,
  };
}

/** POSTs a registration from the portal's own page (its Origin) and a fresh address. */
export function register(hp: HostilePortal, body: unknown, ip = nextIp()): Promise<HttpResult> {
  return http(hp.url, '/api/registration', { body, headers: { origin: hp.url, 'x-forwarded-for': ip } });
}

/** A future instant at a whole hour, `days` ahead, for slots no demo booking uses. */
export function futureSlot(days: number, hour = 15): string {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
}
