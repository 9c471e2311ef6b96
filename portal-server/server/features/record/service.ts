/** The medical record: physicians keep it from the console; patients read their own. */
import { mixed, number, object, string } from 'yup';
import { DomainError } from '../../../../shared/api/errors';
import { RECORD_KINDS, RECORD_KIND_LABELS } from '../../../../shared/domain/record';
import type { RecordBundle, RecordKind } from '../../../../shared/domain/record';
import { RecordEntryEntity } from '../../../../shared/node/entities/clinical';
import type { RecordEntryRow } from '../../../../shared/node/entities/clinical';
import { PatientEntity } from '../../../../shared/node/entities/server';
import type { MutationArgs } from '../../../../shared/sync/protocol';
import { RECORD_SCHEMAS } from '../../../../shared/validation/record';
import { uuidSchema } from '../../../../shared/validation/requests';
import { validateOrThrow } from '../../../../shared/validation/validate';
import { audit } from '../audit/audit';
import type { PatientCall, StaffCall } from '../calls';
import { DESK_ROLES, assertBaseVersion, nowIso, requireStaffRole, staffChange } from '../calls';
import { recordBundle } from './entries';

/** The patient reads their own record; the read is audited like a staff read. */
export async function readOwnRecord(c: PatientCall): Promise<RecordBundle> {
  await audit(c.m, c.clinic.id, c.actor, 'record.view', { type: 'patient', id: c.patient.id }, c.ctx.now(), 'by=patient');
  return recordBundle(c.m, c.clinic.id, c.patient.id);
}

const kindSchema = mixed<RecordKind>().oneOf([...RECORD_KINDS], 'Choose a record section.').required('Choose a record section.');
const baseVersion = number().typeError('Not a valid version.').required().integer().min(0);
const saveArgs = object({ kind: kindSchema, entryId: uuidSchema, patientId: uuidSchema, baseVersion, fields: mixed<object>()
    .required('The entry has no fields.')
    .test('object', 'The entry has no fields.', (v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
});
const deleteArgs = object({ kind: kindSchema, entryId: uuidSchema, baseVersion });
const viewedArgs = object({ patientId: uuidSchema, viewedAt: string().max(40).default('') });

const CHANGED_MEANWHILE = 'Another physician changed this entry meanwhile. Open the record again to see the current entry, then redo your change.';

async function requirePatient(c: StaffCall, id: string): Promise<void> {
  const patient = await c.m.findOneBy(PatientEntity, { id, clinicId: c.clinic.id });
  if (!patient || patient.deletedAt) {
    throw new DomainError('not_found', 'That patient does not exist on the server.');
  }
}

/** Physicians only. baseVersion 0 creates the entry; otherwise it must be the version last seen. */
export async function saveRecordEntry(c: StaffCall, input: MutationArgs['saveRecordEntry']): Promise<void> {
  requireStaffRole(c, ['physician'], 'change the medical record');
  const args = validateOrThrow(saveArgs, input);
  const fields = validateOrThrow(RECORD_SCHEMAS[args.kind], args.fields);
  await requirePatient(c, args.patientId);
  const now = nowIso(c);
  const existing = await c.m.findOneBy(RecordEntryEntity, { id: args.entryId });
  if (args.baseVersion === 0) {
    if (existing) {
      throw new DomainError('conflict', 'A record entry with this id already exists.');
    }
    const row: RecordEntryRow = {
      id: args.entryId,
      clinicId: c.clinic.id,
      patientId: args.patientId,
      kind: args.kind,
      fields: JSON.stringify(fields),
      updatedById: c.staff.id,
      version: 1,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    await c.m.insert(RecordEntryEntity, row);
    await staffChange(c, args.kind, row.id, 1);
    await audit(c.m, c.clinic.id, c.actor, 'record.create', { type: 'patient', id: args.patientId }, c.ctx.now(), `kind=${args.kind} entry=${row.id}`);
    return;
  }
  if (!existing || existing.clinicId !== c.clinic.id || existing.kind !== args.kind || existing.patientId !== args.patientId) {
    throw new DomainError('not_found', `That ${RECORD_KIND_LABELS[args.kind].toLowerCase()} entry does not exist on the server.`);
  }
  if (existing.deletedAt) {
    throw new DomainError('conflict', 'This entry was deleted meanwhile. Add it again if it is still needed.');
  }
  await assertBaseVersion(c, args.kind, existing, args.baseVersion, CHANGED_MEANWHILE);
  const version = existing.version + 1;
  await c.m.update(RecordEntryEntity, { id: existing.id }, { fields: JSON.stringify(fields), version, updatedAt: now, updatedById: c.staff.id });
  await staffChange(c, args.kind, existing.id, version);
  await audit(c.m, c.clinic.id, c.actor, 'record.update', { type: 'patient', id: existing.patientId }, c.ctx.now(), `kind=${args.kind} entry=${existing.id}`);
}

/** Physicians only. A soft delete: the tombstone tells every console to drop the entry. */
export async function deleteRecordEntry(c: StaffCall, input: MutationArgs['deleteRecordEntry']): Promise<void> {
  requireStaffRole(c, ['physician'], 'change the medical record');
  const args = validateOrThrow(deleteArgs, input);
  const existing = await c.m.findOneBy(RecordEntryEntity, { id: args.entryId, clinicId: c.clinic.id, kind: args.kind });
  if (!existing) {
    throw new DomainError('not_found', `That ${RECORD_KIND_LABELS[args.kind].toLowerCase()} entry does not exist on the server.`);
  }
  if (existing.deletedAt) {
    return;
  }
  await assertBaseVersion(c, args.kind, existing, args.baseVersion, CHANGED_MEANWHILE);
  const now = nowIso(c);
  const version = existing.version + 1;
  await c.m.update(RecordEntryEntity, { id: existing.id }, { deletedAt: now, version, updatedAt: now, updatedById: c.staff.id });
  await staffChange(c, args.kind, existing.id, version, 'delete');
  await audit(c.m, c.clinic.id, c.actor, 'record.delete', { type: 'patient', id: existing.patientId }, c.ctx.now(), `kind=${args.kind} entry=${existing.id}`);
}

/** Any staff member opening a record on the console (read from its replica, so reported here). */
export async function recordViewed(c: StaffCall, input: MutationArgs['recordViewed']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'open patient records');
  const args = validateOrThrow(viewedArgs, input);
  await requirePatient(c, args.patientId);
  const viewedAt = Number.isNaN(Date.parse(args.viewedAt)) ? '' : ` viewedAt=${new Date(args.viewedAt).toISOString()}`;
  await audit(c.m, c.clinic.id, c.actor, 'record.view', { type: 'patient', id: args.patientId }, c.ctx.now(), `by=staff${viewedAt}`);
}
