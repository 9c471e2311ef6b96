import type { EntityManager } from 'typeorm';
import { DomainError } from '../../../shared/api/errors';
import type { StaffRole } from '../../../shared/domain/staff';
import type { ClinicRow, PatientRow, StaffUserRow } from '../../../shared/node/entities/server';
import type { SyncedTable } from '../../../shared/sync/protocol';
import type { ServerContext } from '../context';
import type { Actor } from './audit/audit';
import { changedByOthersSince, recordChange } from './sync/changeLog';

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

/** Records a staff-made change of a synced row, tagged with the console that made it. */
export function staffChange(c: StaffCall, table: SyncedTable, rowId: string, version: number, op: 'upsert' | 'delete' = 'upsert'): Promise<number> {
  return recordChange(c.m, table, rowId, version, op, c.clientId);
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

export const nowIso = (c: { ctx: ServerContext }): string => c.ctx.now().toISOString();
