/** What the appointment, renewal, message and record services share over the generic replica rows. */
import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { DomainError } from '../../shared/api/errors';
import type { StaffDirectoryEntry, StaffUserView } from '../../shared/domain/staff';
import type { WithPatient } from '../../shared/ipc/contract';
import type { MutationArgs, MutationName } from '../../shared/sync/protocol';
import { LocalPatientEntity } from '../replica/entities';
import type { LocalPatientRow, ReplicaRow } from '../replica/entities';
import { patientName } from '../replica/records';
import { rowKey, staffById } from '../replica/replicaRows';
import type { GenericTable, RowKey, Stored } from '../replica/replicaRows';
import type { ReplicaDeps } from './deps';
import type { SignedIn } from '../session/session';

/** A name for a patient who is not (or no longer) on this computer. */
const UNKNOWN_PATIENT = 'a patient';

export async function patientsById(m: EntityManager, ids: Iterable<string | null>): Promise<Map<string, LocalPatientRow>> {
  const unique = [...new Set([...ids].filter((id): id is string => id !== null))];
  const map = new Map<string, LocalPatientRow>();
  for (let i = 0; i < unique.length; i += 500) {
    for (const p of await m.findBy(LocalPatientEntity, { id: In(unique.slice(i, i + 500)) })) {
      map.set(p.id, p);
    }
  }
  return map;
}

export async function requirePatientRow(m: EntityManager, patientId: string): Promise<LocalPatientRow> {
  const row = await m.findOneBy(LocalPatientEntity, { id: patientId });
  if (!row) {
    throw new DomainError('not_found', 'That patient is not on this computer. Search again.');
  }
  return row;
}

export async function nameOfPatient(m: EntityManager, patientId: string): Promise<string> {
  const row = await m.findOneBy(LocalPatientEntity, { id: patientId });
  return row ? patientName(row) : UNKNOWN_PATIENT;
}

/** The staff directory as last pulled, by id. */
export async function staffDirectory(m: EntityManager): Promise<StaffDirectoryEntry[]> {
  const all = [...(await staffById(m)).values()];
  return all.sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
}

/** Rows with their patient's name and the number of local changes not yet accepted. */
export async function withPatient<T extends GenericTable>(m: EntityManager, deps: Pick<ReplicaDeps, 'outbox'>, rows: Stored<T>[]): Promise<WithPatient<Stored<T>['record']>[]> {
  const patients = await patientsById(
    m,
    rows.map((r) => r.row.patientId),
  );
  const pending = rows.length > 0 ? (await deps.outbox.pendingRows(m)).rows : new Map<string, number>();
  return rows.map(({ row, record }) => {
    const patient = row.patientId ? patients.get(row.patientId) : undefined;
    return {
      row: record,
      patientName: patient ? patientName(patient) : UNKNOWN_PATIENT,
      patientDateOfBirth: patient?.dateOfBirth ?? '',
      pendingChanges: pending.get(rowKey(row.tableName, row.id)) ?? 0,
    };
  });
}

/**
 * What a change to a row is built on: the version this console last pulled. The server does not
 * count this console's own changes since then as conflicts, only other desks' and the patient's.
 * A row made here (version 0) is built on the version the server gives it when created: 1.
 */
export function baseVersionOf(row: ReplicaRow): number {
  return row.version > 0 ? row.version : 1;
}

/** The latest pending change on a row when it is of this kind and not being pushed: a new one can fold into it. */
export async function foldableOn<N extends MutationName>(m: EntityManager, deps: Pick<ReplicaDeps, 'outbox'>, key: RowKey, ...names: N[]): Promise<{ seq: number; name: N; argsVersion: number; args: MutationArgs[N] } | null> {
  const entry = await deps.outbox.latestForRow(m, key);
  if (!entry || !(names as MutationName[]).includes(entry.name)) {
    return null;
  }
  return { seq: entry.seq, name: entry.name as N, argsVersion: entry.argsVersion, args: JSON.parse(entry.args) as MutationArgs[N] };
}

/** Runs each check and reports every field problem at once, as one form would. */
export function validateTogether<T extends unknown[]>(...checks: { [I in keyof T]: () => T[I] }): T {
  const fields: Record<string, string> = {};
  const results: unknown[] = [];
  for (const check of checks) {
    try {
      results.push(check());
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'validation_failed' || !err.fields) {
        throw err;
      }
      Object.assign(fields, err.fields);
    }
  }
  if (Object.keys(fields).length > 0) {
    throw new DomainError('validation_failed', 'Some fields need attention.', fields);
  }
  return results as T;
}

export function requirePhysician(signedIn: SignedIn, action: string): StaffUserView {
  if (signedIn.staff.role !== 'physician') {
    throw new DomainError('forbidden', `Only a physician can ${action}.`);
  }
  return signedIn.staff;
}

/** "Dec 1, 9:30 AM" in the clinic's zone, for change descriptions. */
export function shortWhen(iso: string | null, timeZone: string): string {
  if (!iso) {
    return 'no time set';
  }
  return new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
}

/** "Dec 1" in the clinic's zone. */
export function shortDay(iso: string | null, timeZone: string): string {
  return iso ? new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric' }).format(new Date(iso)) : 'no date';
}

/**
 * Folds a new field-level edit into a waiting (never sent) one: a field first changed in the waiting
 * entry keeps the base it had there, and a field now back at its base is dropped — an edit undone
 * must not claim a change (it would conflict with another desk's edit of that field and take the
 * whole entry down with it). Empty `changes`: the entry no longer changes anything.
 */
export function foldFieldEdits<T extends Record<string, unknown>>(waiting: { changes: T; base?: T }, next: { changes: T; base: T }): { changes: T; base: T } {
  const base = { ...next.base, ...waiting.base } as Record<string, unknown>;
  const merged = { ...waiting.changes, ...next.changes } as Record<string, unknown>;
  const kept = Object.keys(merged).filter((k) => !(k in base) || JSON.stringify(merged[k] ?? null) !== JSON.stringify(base[k] ?? null));
  return { changes: Object.fromEntries(kept.map((k) => [k, merged[k]])) as T, base: Object.fromEntries(kept.filter((k) => k in base).map((k) => [k, base[k]])) as T };
}
