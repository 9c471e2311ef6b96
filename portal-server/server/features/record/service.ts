/** The medical record: physicians keep it from the console; patients read their own. */
import { mixed, number, object, string } from 'yup';
import { DomainError } from '../../../../shared/api/errors';
import { RECORD_KINDS, RECORD_KIND_LABELS } from '../../../../shared/domain/record';
import type { RecordBundle, RecordFields, RecordKind } from '../../../../shared/domain/record';
import { RecordEntryEntity } from '../../../../shared/node/entities/clinical';
import type { RecordEntryRow } from '../../../../shared/node/entities/clinical';
import { PatientEntity } from '../../../../shared/node/entities/server';
import type { ArgsVersion, MutationArgs } from '../../../../shared/sync/protocol';
import { RECORD_SCHEMAS } from '../../../../shared/validation/record';
import { uuidSchema } from '../../../../shared/validation/requests';
import { validateOrThrow } from '../../../../shared/validation/validate';
import { audit } from '../audit/audit';
import type { StaffCall } from '../calls';
import { DESK_ROLES, assertBaseVersion, fieldsToWrite, nowIso, requireStaffRole, staffWriter } from '../calls';
import { asPatient } from '../patient-session/call';
import type { PatientPrincipal } from '../patient-session/service';
import { insertSynced, updateSynced } from '../sync/writeSynced';
import type { ServerContext } from '../../context';
import { recordBundle } from './entries';

/**
 * The patient reads their own record; the read is audited like a staff read. The record is read
 * beside the writer (on SQLite, a reader), then its audit event is written in one statement: the
 * record is returned only once that event is committed, and the write lock is held for one INSERT
 * instead of the whole read.
 */
export async function viewOwnRecord(ctx: ServerContext, p: PatientPrincipal, ip: string | null): Promise<RecordBundle> {
  const read = await asPatient(ctx, p, ip, 'read', async (c) => ({ c, bundle: await recordBundle(c.m, c.clinic.id, c.patient.id) }));
  const { clinic, actor, patient } = read.c;
  await ctx.db.write((m) => audit(m, clinic.id, actor, 'record.view', { type: 'patient', id: patient.id }, ctx.now(), 'by=patient'), { oneStatement: true });
  return read.bundle;
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

/** How the conflict message names each field. */
const FIELD_LABELS: { [K in RecordKind]: { [F in keyof RecordFields[K]]: string } } = {
  problem: { name: 'the problem', status: 'the status', onsetDate: 'the onset date', note: 'the note' },
  medication: { name: 'the medication name', dose: 'the dose', instructions: 'the instructions', prescriberName: 'the prescriber', refillsLeft: 'the refills left', active: 'whether it is taken' },
  allergy: { substance: 'the substance', reaction: 'the reaction', severity: 'the severity' },
  immunization: { vaccine: 'the vaccine', date: 'the date', note: 'the note' },
  labResult: { test: 'the test', value: 'the value', unit: 'the unit', referenceRange: 'the reference range', flag: 'the flag', date: 'the date' },
  visitSummary: { date: 'the date', physicianName: 'the physician', reason: 'the reason', summary: 'the summary' },
};

/**
 * Physicians only. baseVersion 0 creates the entry. An argsVersion 2 update is field-level: only
 * its fields are checked against the server's and written (another physician's edit of other
 * fields, or a renewal's refills, merge); argsVersion 1 replaces every field and needs the row
 * unchanged by others since baseVersion.
 */
export async function saveRecordEntry(c: StaffCall, input: MutationArgs['saveRecordEntry'], argsVersion: ArgsVersion = 1): Promise<void> {
  requireStaffRole(c, ['physician'], 'change the medical record');
  const args = validateOrThrow(saveArgs, input);
  await requirePatient(c, args.patientId);
  const existing = await c.m.findOneBy(RecordEntryEntity, { id: args.entryId });
  // An edit with base values of an entry this desk added, whose push answer it never heard (so it
  // still had version 0): the entry is on the server, and the edit is judged field by field.
  const editOfOwnAdd = args.baseVersion === 0 && argsVersion === 2 && input.base !== undefined && existing !== null;
  const fieldLevel = argsVersion === 2 && (args.baseVersion !== 0 || editOfOwnAdd);
  const given = fieldLevel ? knownFields(args.kind, args.fields) : validateOrThrow(RECORD_SCHEMAS[args.kind], args.fields);
  const now = nowIso(c);
  if (args.baseVersion === 0 && !editOfOwnAdd) {
    if (existing) {
      throw new DomainError('conflict', 'A record entry with this id already exists.');
    }
    const row: RecordEntryRow = {
      id: args.entryId,
      clinicId: c.clinic.id,
      patientId: args.patientId,
      kind: args.kind,
      fields: JSON.stringify(given),
      updatedById: c.staff.id,
      version: 1,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    await insertSynced(staffWriter(c), args.kind, row, { action: 'record.create', entity: { type: 'patient', id: args.patientId }, detail: `kind=${args.kind} entry=${row.id}` });
    return;
  }
  if (!existing || existing.clinicId !== c.clinic.id || existing.kind !== args.kind || existing.patientId !== args.patientId) {
    throw new DomainError('not_found', `That ${RECORD_KIND_LABELS[args.kind].toLowerCase()} entry does not exist on the server.`);
  }
  if (existing.deletedAt) {
    throw new DomainError('conflict', 'This entry was deleted meanwhile. Add it again if it is still needed.');
  }
  let fields = given;
  if (fieldLevel) {
    const current = JSON.parse(existing.fields) as Record<string, unknown>;
    // The whole entry must stay valid with the changes in it, whatever else merged.
    const merged = validateOrThrow(RECORD_SCHEMAS[args.kind], { ...current, ...given }) as Record<string, unknown>;
    const changes = Object.fromEntries(Object.keys(given).map((k) => [k, merged[k]]));
    // Written even if nothing differs, like a patient edit: the new version brings consoles up to date.
    fields = { ...current, ...fieldsToWrite(current, changes, input.base, FIELD_LABELS[args.kind] as Record<string, string>, 'by another physician') };
  } else {
    await assertBaseVersion(c, args.kind, existing, args.baseVersion, CHANGED_MEANWHILE);
  }
  await updateSynced(staffWriter(c), args.kind, existing, { fields: JSON.stringify(fields), updatedById: c.staff.id }, {
    action: 'record.update',
    entity: { type: 'patient', id: existing.patientId },
    detail: `kind=${args.kind} entry=${existing.id}`,
  });
}

/** The changed fields of a field-level update: at least one, each a field of this kind. */
function knownFields(kind: RecordKind, fields: object): Record<string, unknown> {
  const unknown = Object.keys(fields).filter((k) => !Object.hasOwn(FIELD_LABELS[kind], k));
  if (unknown.length > 0 || Object.keys(fields).length === 0) {
    throw new DomainError('validation_failed', 'This change names no field of the entry, or one it does not have.', { fields: unknown.length > 0 ? `Unknown: ${unknown.join(', ').slice(0, 80)}` : 'No field changed.' });
  }
  return fields as Record<string, unknown>;
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
  await updateSynced(staffWriter(c), args.kind, existing, { deletedAt: nowIso(c), updatedById: c.staff.id }, {
    action: 'record.delete',
    entity: { type: 'patient', id: existing.patientId },
    detail: `kind=${args.kind} entry=${existing.id}`,
  });
}

/**
 * Any staff member opening a record on the console (read from its replica, so reported here). The
 * event carries the server's time: the console's `viewedAt` is validated but not kept, since a
 * console (or anyone holding its token) could otherwise date a view to 1970 in the patient's list.
 */
export async function recordViewed(c: StaffCall, input: MutationArgs['recordViewed']): Promise<void> {
  requireStaffRole(c, DESK_ROLES, 'open patient records');
  const args = validateOrThrow(viewedArgs, input);
  await requirePatient(c, args.patientId);
  await audit(c.m, c.clinic.id, c.actor, 'record.view', { type: 'patient', id: args.patientId }, c.ctx.now(), 'by=staff');
}
