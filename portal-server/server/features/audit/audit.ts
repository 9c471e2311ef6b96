import type { EntityManager } from 'typeorm';
import type { AuditEventRow } from '../../../../shared/node/entities/server';
import { AuditEventEntity } from '../../../../shared/node/entities/server';
import { newId } from '../../../../shared/node/secrets';

export interface Actor {
  kind: AuditEventRow['actorKind'];
  id: string | null;
  ip?: string | null;
}

/**
 * Appends an audit event in the caller's transaction. `detail` never holds health data.
 * The log is append-only: this insert is the one way in, nothing in the server updates or deletes
 * an event (audit.test.ts checks the source), and database triggers refuse UPDATE and DELETE.
 */
export async function audit(
  m: EntityManager,
  clinicId: string,
  actor: Actor,
  action: string,
  entity: { type: string; id: string } | null,
  at: Date,
  detail?: string,
): Promise<void> {
  await m.insert(AuditEventEntity, {
    id: newId(),
    clinicId,
    actorKind: actor.kind,
    actorId: actor.id,
    action,
    entity: entity?.type ?? null,
    entityId: entity?.id ?? null,
    at: at.toISOString(),
    ip: actor.ip ?? null,
    detail: detail ?? null,
  });
}
