/** Prescription renewals: the patient asks, a physician decides. */
import { lockKey } from '../../../../shared/node/db';
import { IsNull } from 'typeorm';
import { number } from 'yup';
import { DomainError } from '../../../../shared/api/errors';
import type { RenewalView } from '../../../../shared/domain/renewal';
import { RenewalRequestEntity } from '../../../../shared/node/entities/clinical';
import type { RenewalRequestRow } from '../../../../shared/node/entities/clinical';
import { newId } from '../../../../shared/node/secrets';
import type { MutationArgs } from '../../../../shared/sync/protocol';
import { renewalDecisionSchema, renewalRequestSchema, uuidSchema } from '../../../../shared/validation/requests';
import { validateOrThrow } from '../../../../shared/validation/validate';
import { staffNames } from '../appointments/views';
import type { PatientCall, StaffCall } from '../calls';
import { assertBaseVersion, nowIso, patientWriter, requireStaffRole, staffWriter } from '../calls';
import { notifyPatient } from '../mail/notify';
import { findEntry } from '../record/entries';
import { recordFieldsOf } from '../sync/rows';
import { insertSynced, updateSynced } from '../sync/writeSynced';

function renewalView(r: RenewalRequestRow, names: Map<string, string>): RenewalView {
  return {
    id: r.id,
    medicationId: r.medicationId,
    medicationName: r.medicationName,
    pharmacy: r.pharmacy,
    note: r.note,
    status: r.status,
    decisionNote: r.decisionNote,
    decidedByName: r.decidedById ? (names.get(r.decidedById) ?? null) : null,
    decidedAt: r.decidedAt,
    requestedAt: r.requestedAt,
  };
}

export async function listRenewals(c: PatientCall): Promise<RenewalView[]> {
  const rows = await c.m.find(RenewalRequestEntity, { where: { patientId: c.patient.id, clinicId: c.clinic.id, deletedAt: IsNull() }, order: { requestedAt: 'DESC' } });
  const names = await staffNames(c.m, rows.map((r) => r.decidedById));
  return rows.map((r) => renewalView(r, names));
}

/** Only a medication on the patient's own list, still active, with no request already waiting. */
export async function requestRenewal(c: PatientCall, body: unknown): Promise<RenewalView> {
  const form = validateOrThrow(renewalRequestSchema, body);
  const medication = await findEntry(c.m, c.clinic.id, c.patient.id, 'medication', form.medicationId);
  if (!medication) {
    throw new DomainError('validation_failed', 'Choose a medication from your list.', { medicationId: 'Choose a medication from your list.' });
  }
  const fields = recordFieldsOf(medication);
  if (!fields.active) {
    throw new DomainError('validation_failed', 'That medication is no longer active.', { medicationId: 'This medication is no longer active. Message your doctor if you still need it.' });
  }
  // One open request per medication, also when two arrive at once (several instances too).
  await lockKey(c.m, `patient-requests:${c.patient.id}`);
  if (await c.m.findOneBy(RenewalRequestEntity, { patientId: c.patient.id, medicationId: medication.id, status: 'requested', deletedAt: IsNull() })) {
    throw new DomainError('conflict', `You have already asked to renew ${fields.name}. Your doctor will answer that request first.`);
  }
  const now = nowIso(c);
  const row: RenewalRequestRow = {
    id: newId(),
    clinicId: c.clinic.id,
    patientId: c.patient.id,
    medicationId: medication.id,
    medicationName: fields.name,
    pharmacy: form.pharmacy,
    note: form.note,
    status: 'requested',
    decisionNote: null,
    decidedById: null,
    decidedAt: null,
    requestedAt: now,
    version: 1,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  await insertSynced(patientWriter(c), 'renewal', row, { action: 'renewal.request' });
  return renewalView(row, new Map());
}

const decideArgs = renewalDecisionSchema.shape({ renewalId: uuidSchema, baseVersion: number().typeError('Not a valid version.').required().integer().min(0) });

/** Physicians only. Approving adds the refills granted (or 1) to the medication, which syncs too. */
export async function decideRenewal(c: StaffCall, input: MutationArgs['decideRenewal']): Promise<void> {
  requireStaffRole(c, ['physician'], 'approve or deny renewals');
  const args = validateOrThrow(decideArgs, input);
  const renewal = await c.m.findOneBy(RenewalRequestEntity, { id: args.renewalId, clinicId: c.clinic.id });
  if (!renewal || renewal.deletedAt) {
    throw new DomainError('not_found', 'That renewal request does not exist on the server.');
  }
  await assertBaseVersion(c, 'renewal', renewal, args.baseVersion, 'This renewal request was changed meanwhile. Open it again to see where it stands.');
  if (renewal.status !== 'requested') {
    throw new DomainError('conflict', `This renewal request was already ${renewal.status}. Open it again to see the decision.`);
  }
  const now = nowIso(c);
  if (args.decision === 'approved') {
    const medication = await findEntry(c.m, c.clinic.id, renewal.patientId, 'medication', renewal.medicationId);
    if (!medication) {
      throw new DomainError('conflict', 'This medication is no longer on the patient\'s record, so the renewal cannot be approved. Deny it with a reason instead.');
    }
    const fields = recordFieldsOf(medication);
    const refillsLeft = Math.min(99, fields.refillsLeft + (args.refillsGranted ?? 1));
    // Part of the decision, audited with it below as renewal.approved.
    await updateSynced(staffWriter(c), 'medication', medication, { fields: JSON.stringify({ ...fields, refillsLeft }), updatedById: c.staff.id }, null);
  }
  await updateSynced(staffWriter(c), 'renewal', renewal, { status: args.decision, decisionNote: args.note || null, decidedById: c.staff.id, decidedAt: now }, { action: `renewal.${args.decision}` });
  await notifyPatient(c, renewal.patientId, 'renewalUpdate', { kind: 'renewals' });
}
