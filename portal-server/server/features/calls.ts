import type { EntityManager } from 'typeorm';
import { DomainError } from '../../../shared/api/errors';
import type { StaffRole } from '../../../shared/domain/staff';
import type { ClinicRow, PatientRow, StaffUserRow } from '../../../shared/node/entities/server';
import type { SyncedTable } from '../../../shared/sync/protocol';
import type { ServerContext } from '../context';
import type { Actor } from './audit/audit';
import { changedByOthersSince } from './sync/changeLog';
import type { SyncedWriter } from './sync/writeSynced';

/** A staff use case running inside the caller's transaction (a sync mutation, or the demo seed). */
export interface StaffCall {
  ctx: ServerContext;
  m: EntityManager;
  clinic: ClinicRow;
  actor: Actor;
  /** Who acts: role checks use this row, never a role the console claims. */
  staff: StaffUserRow;
  /** The console whose mutation this is; null for the server's own scripts. */
  clientId: string | null;
}

/** A patient use case inside the caller's transaction; `patient` comes from the session, never the browser. */
export interface PatientCall {
  ctx: ServerContext;
  m: EntityManager;
  clinic: ClinicRow;
  patient: PatientRow;
  accountId: string;
  actor: Actor;
}

export const DESK_ROLES: readonly StaffRole[] = ['receptionist', 'physician', 'admin'];

export function requireStaffRole(c: StaffCall, roles: readonly StaffRole[], what: string): void {
  if (!roles.includes(c.staff.role)) {
    const who = roles.length === 1 ? `a ${roles[0]}` : roles.join(' or ');
    throw new DomainError('forbidden', `Only ${who} can ${what}. Ask a colleague with that role.`);
  }
}

/** Writes of synced rows by a staff use case: audited as the staff member, tagged with their console. */
export function staffWriter(c: StaffCall): SyncedWriter {
  return { m: c.m, clinicId: c.clinic.id, actor: c.actor, at: c.ctx.now(), clientId: c.clientId };
}

/** Writes of synced rows by a patient use case: no console made them. */
export function patientWriter(c: PatientCall): SyncedWriter {
  return { m: c.m, clinicId: c.clinic.id, actor: c.actor, at: c.ctx.now(), clientId: null };
}

/** Refuses a change built on a version someone else has since replaced. */
export async function assertBaseVersion(c: StaffCall, table: SyncedTable, row: { id: string; version: number }, baseVersion: unknown, message: string): Promise<void> {
  if (typeof baseVersion !== 'number' || !Number.isInteger(baseVersion) || baseVersion < 0) {
    throw new DomainError('validation_failed', 'This change has no valid base version.', { baseVersion: 'Must be a whole number.' });
  }
  if (await changedByOthersSince(c.m, table, row.id, row.version, baseVersion, c.clientId)) {
    throw new DomainError('conflict', message);
  }
}

type FieldValue = string | number | boolean | null;

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const shown = (v: unknown): string => {
  const text = v === null || v === undefined || v === '' ? 'empty' : String(v);
  return `“${text.length > 40 ? `${text.slice(0, 39)}…` : text}”`;
};

function listed(words: string[]): string {
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}

/**
 * The field-level check of an argsVersion 2 edit (DESIGN §5). A changed field conflicts only when
 * someone else changed that same field since: its server value is neither the value the console
 * based the change on nor the new one. Edits of other fields merge. Returns the fields whose value
 * really changes (possibly none); throws 'conflict' naming the fields, so nothing is written.
 */
export function fieldsToWrite<T extends object>(
  current: T,
  changes: Partial<T>,
  base: unknown,
  labels: { [K in keyof T]: string },
  meanwhile: string,
  /** How a field's value reads for staff, where its stored form is a code (e.g. 'es'). */
  shownAs: { [K in keyof T]?: (value: T[K]) => string } = {},
): Partial<T> {
  const keys = (Object.keys(changes) as (keyof T & string)[]).filter((k) => changes[k] !== undefined);
  const based = (base ?? null) as Record<string, unknown> | null;
  if (typeof based !== 'object' || based === null || Array.isArray(based) || keys.some((k) => !(k in based) || !isFieldValue(based[k]))) {
    throw new DomainError('validation_failed', 'This change does not say what each changed field was based on.', { base: 'Give the earlier value of every changed field.' });
  }
  const clashes = keys.filter((k) => !sameValue(current[k], based[k]) && !sameValue(current[k], changes[k]));
  if (clashes.length > 0) {
    const names = listed(clashes.map((k) => labels[k]));
    const sentence = `${names.charAt(0).toUpperCase()}${names.slice(1)}`;
    throw new DomainError(
      'conflict',
      `${sentence} ${clashes.length === 1 ? 'was' : 'were'} changed ${meanwhile} meanwhile: now ${listed(clashes.map((k) => shown(shownAs[k] ? shownAs[k](current[k]) : current[k])))}. Nothing of this change was saved.`,
    );
  }
  return Object.fromEntries(keys.filter((k) => !sameValue(current[k], changes[k])).map((k) => [k, changes[k]])) as Partial<T>;
}

function isFieldValue(v: unknown): v is FieldValue {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

export const nowIso = (c: { ctx: ServerContext }): string => c.ctx.now().toISOString();
