import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../shared/api/errors';
import { ALLERGY_SEVERITIES, RECORD_KINDS } from '../../shared/domain/record';
import type { RecordBundle, RecordEntry, RecordFields, RecordKind } from '../../shared/domain/record';
import type { RecordSaveArgs } from '../../shared/ipc/contract';
import type { MutationArgs } from '../../shared/sync/protocol';
import { RECORD_SCHEMAS } from '../../shared/validation/record';
import { validateOrThrow } from '../../shared/validation/validate';
import { patientName } from '../replica/records';
import { deleteLocal, findStored, listStored, queryRows, rowKey, writeLocal } from '../replica/replicaRows';
import type { ReplicaDeps } from './deps';
import { baseVersionOf, foldFieldEdits, foldableOn, nameOfPatient, requirePatientRow, requirePhysician } from './rowSupport';

/** A staff member opening the same record again within this time is not reported again. */
export const RECORD_VIEW_THROTTLE_MS = 5 * 60_000;

const KIND_NAMES: Record<RecordKind, string> = {
  problem: 'problem',
  medication: 'medication',
  allergy: 'allergy',
  immunization: 'immunization',
  labResult: 'lab result',
  visitSummary: 'visit summary',
};

function titleOf(kind: RecordKind, fields: RecordFields[RecordKind]): string {
  const f = fields as unknown as Record<string, unknown>;
  const title = { problem: f.name, medication: f.name, allergy: f.substance, immunization: f.vaccine, labResult: f.test, visitSummary: f.date }[kind];
  return typeof title === 'string' ? title.slice(0, 80) : '';
}

/** The medical record on this console: everyone reads (each opening is audited), physicians change it. */
export class RecordService {
  constructor(private readonly deps: ReplicaDeps) {}

  /** The patient's whole record; reports the opening to the server's audit log (at most once per few minutes). */
  async get(patientId: string): Promise<RecordBundle> {
    const { staff } = await this.deps.session.requireSignedIn();
    const now = this.deps.now();
    const { bundle, reported } = await this.deps.db.write(async (m) => {
      const patient = await requirePatientRow(m, patientId);
      // Bounded above too: after this computer's clock is set back, "future" reports must not silence new ones.
      const recent = await this.deps.outbox.countRecent(m, 'recordViewed', patientId, staff.id, new Date(now.getTime() - RECORD_VIEW_THROTTLE_MS), now);
      if (recent === 0) {
        await this.deps.outbox.append(m, {
          name: 'recordViewed',
          args: { patientId, viewedAt: now.toISOString() },
          staffUserId: staff.id,
          description: `Report that you opened ${patientName(patient)}'s record`,
          patientId,
          invitationId: null,
          now,
        });
      }
      return { bundle: await bundleOf(m, patientId), reported: recent === 0 };
    });
    if (reported) {
      this.deps.onLocalWrite([]);
    }
    return bundle;
  }

  /** Adds (entryId null) or changes an entry; it shows at once, waiting to send. */
  async save(args: RecordSaveArgs): Promise<RecordBundle> {
    const signedIn = await this.deps.session.requireSignedIn();
    const physician = requirePhysician(signedIn, 'change the medical record');
    const kind = requireKind(args.kind);
    const fields = validateOrThrow(RECORD_SCHEMAS[kind], args.fields) as RecordFields[RecordKind];
    const now = this.deps.now();
    const bundle = await this.deps.db.write(async (m) => {
      const patient = await requirePatientRow(m, args.patientId);
      const title = titleOf(kind, fields);
      if (args.entryId === null) {
        const entryId = randomUUID();
        await writeLocal(m, kind, { ...fields, id: entryId, patientId: patient.id, version: 0, updatedAt: now.toISOString() } as RecordEntry, null);
        await this.deps.outbox.append(m, {
          name: 'saveRecordEntry',
          args: { kind, entryId, patientId: patient.id, fields, baseVersion: 0 } as MutationArgs['saveRecordEntry'],
          staffUserId: physician.id,
          description: `Add ${KIND_NAMES[kind]} “${title}” to ${patientName(patient)}'s record`,
          patientId: patient.id,
          invitationId: null,
          rows: [rowKey(kind, entryId)],
          now,
        });
        return bundleOf(m, patient.id);
      }
      const current = await findStored(m, kind, args.entryId);
      if (!current || current.record.patientId !== patient.id) {
        throw new DomainError('not_found', 'That entry is not in this record any more. Reload the record.');
      }
      const key = rowKey(kind, current.record.id);
      const { changes, base } = changedFields(current.record, fields);
      if (Object.keys(changes).length === 0) {
        return bundleOf(m, patient.id);
      }
      const description = `Update ${KIND_NAMES[kind]} “${title}” in ${patientName(patient)}'s record`;
      const baseVersion = baseVersionOf(current.row);
      await writeLocal(m, kind, { ...current.record, ...fields, updatedAt: now.toISOString() } as RecordEntry, current.row);
      const pending = await foldableOn(m, this.deps, key, 'saveRecordEntry');
      if (pending && pending.args.kind === kind) {
        // A waiting add (or an old full-entry update) carries every field; a field-level one adds these.
        if (pending.args.baseVersion === 0 || pending.argsVersion !== 2) {
          await this.deps.outbox.rewrite(m, pending.seq, { ...pending.args, fields } as MutationArgs['saveRecordEntry'], { description });
        } else {
          const folded = foldFieldEdits({ changes: pending.args.fields as Record<string, unknown>, base: pending.args.base as Record<string, unknown> | undefined }, { changes, base });
          if (Object.keys(folded.changes).length === 0) {
            // Every field is back where the server has it: nothing left to send.
            await this.deps.outbox.discardUnsent(m, pending.seq);
          } else {
            await this.deps.outbox.rewrite(m, pending.seq, { ...pending.args, fields: folded.changes, base: folded.base } as MutationArgs['saveRecordEntry'], { description });
          }
        }
      } else {
        await this.deps.outbox.append(m, {
          name: 'saveRecordEntry',
          args: { kind, entryId: current.record.id, patientId: patient.id, fields: changes, base, baseVersion } as MutationArgs['saveRecordEntry'],
          staffUserId: physician.id,
          description,
          patientId: patient.id,
          invitationId: null,
          rows: [key],
          now,
        });
      }
      return bundleOf(m, patient.id);
    });
    this.deps.onLocalWrite([kind]);
    return bundle;
  }

  /** Removes an entry; it disappears at once and comes back if the server refuses. */
  async remove(args: { kind: RecordKind; entryId: string }): Promise<RecordBundle> {
    const signedIn = await this.deps.session.requireSignedIn();
    const physician = requirePhysician(signedIn, 'change the medical record');
    const kind = requireKind(args.kind);
    const now = this.deps.now();
    const bundle = await this.deps.db.write(async (m) => {
      const current = await findStored(m, kind, args.entryId);
      if (!current) {
        throw new DomainError('not_found', 'That entry is not in the record any more. Reload the record.');
      }
      const baseVersion = baseVersionOf(current.row);
      await deleteLocal(m, current.row);
      const patientId = current.record.patientId;
      await this.deps.outbox.append(m, {
        name: 'deleteRecordEntry',
        args: { kind, entryId: current.record.id, baseVersion },
        staffUserId: physician.id,
        description: `Remove ${KIND_NAMES[kind]} “${titleOf(kind, current.record)}” from ${await nameOfPatient(m, patientId)}'s record`,
        patientId,
        invitationId: null,
        rows: [rowKey(kind, current.record.id)],
        now,
      });
      return bundleOf(m, patientId);
    });
    this.deps.onLocalWrite([kind]);
    return bundle;
  }
}

/** The fields the physician changed, and what each showed before: the server checks them field by field. */
function changedFields(shown: RecordEntry, fields: RecordFields[RecordKind]): { changes: Record<string, unknown>; base: Record<string, unknown> } {
  const before = shown as unknown as Record<string, unknown>;
  const after = fields as unknown as Record<string, unknown>;
  const keys = Object.keys(after).filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));
  return { changes: Object.fromEntries(keys.map((k) => [k, after[k]])), base: Object.fromEntries(keys.map((k) => [k, before[k] ?? null])) };
}

function requireKind(kind: unknown): RecordKind {
  if (!RECORD_KINDS.includes(kind as RecordKind)) {
    throw new DomainError('validation_failed', 'Choose a section of the record.');
  }
  return kind as RecordKind;
}

const byDateDesc = (a: { date: string }, b: { date: string }) => b.date.localeCompare(a.date);
const SEVERITY_RANK = Object.fromEntries(ALLERGY_SEVERITIES.map((s, i) => [s, -i]));

async function section<K extends RecordKind>(m: EntityManager, kind: K, patientId: string): Promise<RecordEntry<K>[]> {
  const rows = await listStored<K>(queryRows(m, kind).andWhere('r.patientId = :patientId', { patientId }));
  return rows.map((s) => s.record as RecordEntry<K>);
}

/** Each section in the order a physician reads it: what is current first, newest first. */
export async function bundleOf(m: EntityManager, patientId: string): Promise<RecordBundle> {
  const problem = await section(m, 'problem', patientId);
  const medication = await section(m, 'medication', patientId);
  const allergy = await section(m, 'allergy', patientId);
  const immunization = await section(m, 'immunization', patientId);
  const labResult = await section(m, 'labResult', patientId);
  const visitSummary = await section(m, 'visitSummary', patientId);
  return {
    problem: problem.sort((a, b) => a.status.localeCompare(b.status) || (b.onsetDate ?? '').localeCompare(a.onsetDate ?? '') || a.name.localeCompare(b.name)),
    medication: medication.sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name)),
    allergy: allergy.sort((a, b) => (SEVERITY_RANK[a.severity] ?? 0) - (SEVERITY_RANK[b.severity] ?? 0) || a.substance.localeCompare(b.substance)),
    immunization: immunization.sort(byDateDesc),
    labResult: labResult.sort((a, b) => byDateDesc(a, b) || a.test.localeCompare(b.test)),
    visitSummary: visitSummary.sort(byDateDesc),
  };
}
