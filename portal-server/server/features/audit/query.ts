import { Brackets, In } from 'typeorm';
import type { EntityManager, EntitySchema, ObjectLiteral } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import { AUDIT_QUERY_DEFAULT_LIMIT, AUDIT_QUERY_MAX_LIMIT } from '../../../../shared/api/staffSecurity';
import type { AuditEventView, AuditQuery } from '../../../../shared/api/staffSecurity';
import { AppointmentEntity, MessageThreadEntity, RenewalRequestEntity } from '../../../../shared/node/entities/clinical';
import { AuditEventEntity, InvitationEntity, PatientAccountEntity, PatientEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import type { AuditEventRow } from '../../../../shared/node/entities/server';
import type { ServerContext } from '../../context';
import { parseIsoDate } from '../../../../shared/time/dateOnly';
import { FIRST_STORABLE_YEAR, LAST_STORABLE_YEAR } from '../../../../shared/time/instant';
import type { StaffPrincipal } from '../staff/service';
import { requireRole } from '../staff/service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Audit entity kinds whose row carries a patientId, and the table that holds them. */
const PATIENT_ROWS: [entity: string, table: EntitySchema<{ id: string; patientId: string }>][] = [
  ['appointment', AppointmentEntity as EntitySchema<{ id: string; patientId: string }>],
  ['renewal', RenewalRequestEntity as EntitySchema<{ id: string; patientId: string }>],
  ['thread', MessageThreadEntity as EntitySchema<{ id: string; patientId: string }>],
  ['invitation', InvitationEntity as EntitySchema<{ id: string; patientId: string }>],
];

interface ParsedQuery {
  actorId?: string;
  action?: string;
  patientId?: string;
  from?: string;
  to?: string;
  limit: number;
  before?: string;
}

/** Reads the query string strictly: ids must be UUIDs, instants ISO-8601, limit a whole number. */
export function parseAuditQuery(raw: Record<string, unknown>): ParsedQuery {
  const fields: Record<string, string> = {};
  const text = (name: keyof AuditQuery): string | undefined => {
    const value = raw[name];
    if (value === undefined || value === '') {
      return undefined;
    }
    if (typeof value !== 'string') {
      fields[name] = 'Give this filter once, as text.';
      return undefined;
    }
    return value;
  };
  const id = (name: 'actorId' | 'patientId' | 'before'): string | undefined => {
    const value = text(name);
    if (value !== undefined && !UUID.test(value)) {
      fields[name] = 'This must be an id.';
      return undefined;
    }
    return value?.toLowerCase();
  };
  const instant = (name: 'from' | 'to'): string | undefined => {
    const value = text(name);
    if (value === undefined) {
      return undefined;
    }
    // A real calendar date (no 31 February rolled into March) and an instant the database holds.
    const t = ISO_INSTANT.test(value) && parseIsoDate(value.slice(0, 10)) !== null ? new Date(value).getTime() : NaN;
    const year = new Date(t).getUTCFullYear();
    if (Number.isNaN(t) || year < FIRST_STORABLE_YEAR || year > LAST_STORABLE_YEAR) {
      fields[name] = `Give a date and time like 2025-03-01T09:00:00Z, between the years ${FIRST_STORABLE_YEAR} and ${LAST_STORABLE_YEAR}.`;
      return undefined;
    }
    return new Date(t).toISOString();
  };
  const action = text('action');
  if (action !== undefined && action.length > 64) {
    fields.action = 'At most 64 characters.';
  }
  const limitText = text('limit');
  let limit = AUDIT_QUERY_DEFAULT_LIMIT;
  if (limitText !== undefined) {
    if (!/^\d{1,6}$/.test(limitText) || Number(limitText) < 1) {
      fields.limit = `A whole number from 1 to ${AUDIT_QUERY_MAX_LIMIT}.`;
    } else {
      limit = Math.min(AUDIT_QUERY_MAX_LIMIT, Number(limitText));
    }
  }
  const parsed: ParsedQuery = { actorId: id('actorId'), action, patientId: id('patientId'), from: instant('from'), to: instant('to'), limit, before: id('before') };
  if (Object.keys(fields).length > 0) {
    throw new DomainError('validation_failed', 'Some filters need attention.', fields);
  }
  return parsed;
}

/** LIKE matches the action as a literal prefix: %, _ and the escape character lose their meaning. */
const likePrefix = (s: string): string => `${s.replace(/[!%_]/g, (c) => `!${c}`)}%`;

/**
 * The clinic's audit log for admins, newest first, filtered. Every value reaches the database as a
 * bound parameter; the SQL text is made only of fixed fragments and escaped column names.
 */
export async function queryAudit(ctx: ServerContext, p: StaffPrincipal, raw: Record<string, unknown>): Promise<AuditEventView[]> {
  requireRole(p, ['admin']);
  const q = parseAuditQuery(raw);
  return ctx.db.read(async (m) => {
    const qb = m.createQueryBuilder(AuditEventEntity, 'e').where('e.clinicId = :clinicId', { clinicId: p.clinic.id });
    if (q.actorId) {
      qb.andWhere('e.actorId = :actorId', { actorId: q.actorId });
    }
    if (q.action) {
      qb.andWhere("e.action LIKE :actionPrefix ESCAPE '!'", { actionPrefix: likePrefix(q.action) });
    }
    if (q.from) {
      qb.andWhere('e.at >= :from', { from: q.from });
    }
    if (q.to) {
      qb.andWhere('e.at <= :to', { to: q.to });
    }
    if (q.patientId) {
      qb.setParameter('patientId', q.patientId);
      const accounts = qb.subQuery().select('pa.id').from(PatientAccountEntity, 'pa').where('pa.patientId = :patientId').getQuery();
      qb.andWhere(
        new Brackets((w) => {
          w.where('(e.entity = :patientEntity AND e.entityId = :patientId)', { patientEntity: 'patient' });
          PATIENT_ROWS.forEach(([entity, table], i) => {
            const rows = qb.subQuery().select(`r${i}.id`).from(table, `r${i}`).where(`r${i}.patientId = :patientId`).getQuery();
            w.orWhere(`(e.entity = :entity${i} AND e.entityId IN ${rows})`, { [`entity${i}`]: entity });
          });
          // What the patient did in the portal, and failed sign-ins to their account.
          w.orWhere(`e.actorId IN ${accounts}`);
        }),
      );
    }
    if (q.before) {
      const cursor = await m.findOneBy(AuditEventEntity, { id: q.before, clinicId: p.clinic.id });
      if (!cursor) {
        throw new DomainError('validation_failed', 'Some filters need attention.', { before: 'That event is not in this log.' });
      }
      qb.andWhere(new Brackets((w) => w.where('e.at < :beforeAt', { beforeAt: cursor.at }).orWhere('(e.at = :beforeAt AND e.id < :beforeId)', { beforeId: cursor.id })));
    }
    const rows = await qb.orderBy('e.at', 'DESC').addOrderBy('e.id', 'DESC').take(q.limit).getMany();
    return describe(m, rows);
  });
}

/** Adds who acted and which patient an event is about, in a few batched lookups. */
async function describe(m: EntityManager, rows: AuditEventRow[]): Promise<AuditEventView[]> {
  const ids = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))];
  const byId = async <T extends ObjectLiteral & { id: string }>(table: EntitySchema<T>, list: string[]): Promise<Map<string, T>> =>
    new Map((list.length ? await m.findBy(table, { id: In(list) } as never) : []).map((r) => [r.id, r]));

  const actorIds = ids(rows.map((r) => r.actorId));
  const staff = await byId(StaffUserEntity, actorIds);
  const accounts = await byId(PatientAccountEntity, actorIds);
  const patientOf = new Map<string, string>();
  for (const r of rows) {
    if (r.entity === 'patient' && r.entityId) {
      patientOf.set(r.id, r.entityId);
    }
  }
  for (const [entity, table] of PATIENT_ROWS) {
    const owned = await byId(table, ids(rows.filter((r) => r.entity === entity).map((r) => r.entityId)));
    for (const r of rows) {
      const row = r.entity === entity && r.entityId ? owned.get(r.entityId) : undefined;
      if (row) {
        patientOf.set(r.id, row.patientId);
      }
    }
  }
  for (const r of rows) {
    const account = r.actorId ? accounts.get(r.actorId) : undefined;
    if (!patientOf.has(r.id) && account) {
      patientOf.set(r.id, account.patientId);
    }
  }
  const patients = await byId(PatientEntity, ids([...patientOf.values(), ...[...accounts.values()].map((a) => a.patientId)]));
  const nameOf = (patientId: string | undefined) => {
    const patient = patientId ? patients.get(patientId) : undefined;
    return patient ? `${patient.givenName} ${patient.familyName}` : null;
  };
  return rows.map((r) => {
    const patientId = patientOf.get(r.id) ?? null;
    const actorStaff = r.actorId ? staff.get(r.actorId) : undefined;
    const actorAccount = r.actorId ? accounts.get(r.actorId) : undefined;
    return {
      id: r.id,
      at: r.at,
      actorKind: r.actorKind,
      actorId: r.actorId,
      actorName: actorStaff?.displayName ?? nameOf(actorAccount?.patientId),
      action: r.action,
      entity: r.entity,
      entityId: r.entityId,
      patientId,
      patientName: nameOf(patientId ?? undefined),
      ip: r.ip,
      detail: r.detail,
    };
  });
}
