import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../shared/api/errors';
import type { PatientLanguage } from '../../shared/domain/language';
import type { DuplicateMatch, PatientListItem } from '../../shared/ipc/contract';
import type { MutationArgs, PatientDetails } from '../../shared/sync/protocol';
import { parseUsDate, todayInZone } from '../../shared/time/dateOnly';
import { preRegistrationSchema } from '../../shared/validation/patient';
import type { PreRegistrationForm } from '../../shared/validation/patient';
import { validateOrThrow } from '../../shared/validation/validate';
import { LocalInvitationEntity, LocalPatientEntity } from '../replica/entities';
import type { LocalPatientRow } from '../replica/entities';
import { patientName, queuedInvitationRow, searchTextOf, toPatientRecord } from '../replica/records';
import type { ReplicaDeps } from './deps';
import { findDuplicatePatients, searchPatients, toListItems } from './patientQueries';
import { foldFieldEdits } from './rowSupport';
import type { DuplicateQuery } from './patientQueries';

type PatientFields = PatientDetails;
type PatientChanges = MutationArgs['updatePatient']['changes'];

/** Pre-registration and patient edits over the local replica; each change also goes to the outbox. */
export class PatientService {
  constructor(private readonly deps: ReplicaDeps) {}

  // Reads need a signed-in, unlocked console like writes do: the replica is patient data.
  async list(query: string): Promise<PatientListItem[]> {
    await this.deps.session.requireSignedIn();
    return this.deps.db.read(async (m) => toListItems(m, this.deps.outbox, await searchPatients(m, query)));
  }

  async get(patientId: string): Promise<PatientListItem> {
    await this.deps.session.requireSignedIn();
    return this.deps.db.read((m) => this.item(m, patientId));
  }

  async findDuplicates(q: DuplicateQuery): Promise<DuplicateMatch[]> {
    await this.deps.session.requireSignedIn();
    return this.deps.db.read((m) => findDuplicatePatients(m, q));
  }

  async preRegister(form: PreRegistrationForm, sendInvitation: boolean): Promise<PatientListItem> {
    const { staff } = await this.deps.session.requireSignedIn();
    const { language, ...details } = await this.validate(form);
    const fields: PatientFields = { ...details, language: language ?? null };
    const now = this.deps.now();
    const patientId = randomUUID();
    // No email: nothing to send; the desk prints a letter instead (online, it makes the ID).
    const invitationId = sendInvitation && fields.email !== '' ? randomUUID() : null;
    const item = await this.deps.db.write(async (m) => {
      await m.insert(LocalPatientEntity, {
        id: patientId,
        ...fields,
        phone: fields.phone || null,
        version: 0,
        updatedAt: now.toISOString(),
        searchText: searchTextOf(fields),
        serverCopy: null,
      });
      if (invitationId) {
        await m.insert(LocalInvitationEntity, queuedInvitationRow(invitationId, patientId, now));
      }
      await this.deps.outbox.append(m, {
        name: 'preRegisterPatient',
        args: { patientId, ...fields, invitationId },
        staffUserId: staff.id,
        description: `Pre-register ${patientName(fields)}`,
        patientId,
        invitationId,
        now,
      });
      return this.item(m, patientId);
    });
    this.deps.onLocalWrite(invitationId ? ['patient', 'invitation'] : ['patient']);
    return item;
  }

  /** Sends only the fields that changed, each with the value it was based on (field-level conflicts). */
  async update(patientId: string, form: PreRegistrationForm): Promise<PatientListItem> {
    const { staff } = await this.deps.session.requireSignedIn();
    const { language, ...details } = await this.validate(form);
    const now = this.deps.now();
    const { item, changed } = await this.deps.db.write(async (m) => {
      const row = await this.requireRow(m, patientId);
      // A form without the language leaves it as it is.
      const fields: PatientFields = { ...details, language: language === undefined ? row.language : language };
      const changes = diff(row, fields);
      if (Object.keys(changes).length === 0) {
        return { item: await this.item(m, patientId), changed: false };
      }
      const updated: LocalPatientRow = {
        ...row,
        ...changes,
        phone: fields.phone || null,
        updatedAt: now.toISOString(),
        searchText: searchTextOf({ ...row, ...changes }),
        // Keep the server's copy so a rejected change can be rolled back.
        serverCopy: row.serverCopy ?? (row.version > 0 ? JSON.stringify(toPatientRecord(row)) : null),
      };
      await m.save(LocalPatientEntity, updated);
      const description = `Update ${patientName(updated)}`;
      const base = baseOf(row, changes);
      const pendingCreate = await this.deps.outbox.foldable(m, 'preRegisterPatient', patientId);
      const pendingUpdate = pendingCreate ? null : await this.deps.outbox.foldable(m, 'updatePatient', patientId);
      const pendingArgs = pendingUpdate ? (JSON.parse(pendingUpdate.args) as MutationArgs['updatePatient']) : null;
      if (pendingCreate) {
        // The patient has not reached the server yet: send the corrected details in the one intent.
        const args = JSON.parse(pendingCreate.args) as MutationArgs['preRegisterPatient'];
        await this.deps.outbox.rewrite(m, pendingCreate.seq, { ...args, ...fields }, { description: `Pre-register ${patientName(updated)}` });
      } else if (pendingUpdate && pendingArgs && pendingUpdate.argsVersion === 2 && pendingArgs.baseVersion === row.version) {
        const folded = foldFieldEdits(pendingArgs, { changes, base });
        if (Object.keys(folded.changes).length === 0) {
          // Every field is back where the server has it: nothing left to send.
          await this.deps.outbox.discardUnsent(m, pendingUpdate.seq);
        } else {
          await this.deps.outbox.rewrite(m, pendingUpdate.seq, { ...pendingArgs, ...folded }, { description });
        }
      } else {
        await this.deps.outbox.append(m, {
          name: 'updatePatient',
          args: { patientId, baseVersion: row.version, changes, base },
          staffUserId: staff.id,
          description,
          patientId,
          invitationId: null,
          now,
        });
      }
      return { item: await this.item(m, patientId), changed: true };
    });
    if (changed) {
      this.deps.onLocalWrite(['patient']);
    }
    return item;
  }

  /** language undefined: the form did not say (see preRegister and update). */
  private async validate(form: PreRegistrationForm): Promise<Omit<PatientFields, 'language'> & { language: PatientLanguage | null | undefined }> {
    const { clinic } = await this.deps.session.requireSignedIn();
    const valid = validateOrThrow(preRegistrationSchema(todayInZone(clinic.timeZone, this.deps.now())), form);
    const dateOfBirth = parseUsDate(valid.dateOfBirth);
    if (!dateOfBirth) {
      throw new DomainError('validation_failed', 'Some fields need attention.', { dateOfBirth: 'Enter the date of birth as mm/dd/yyyy.' });
    }
    return { givenName: valid.givenName, familyName: valid.familyName, dateOfBirth, email: valid.email, phone: valid.phone ?? '', language: valid.language };
  }

  private async requireRow(m: EntityManager, patientId: string): Promise<LocalPatientRow> {
    const row = await m.findOneBy(LocalPatientEntity, { id: patientId });
    if (!row) {
      throw new DomainError('not_found', 'That patient is not on this computer. Search again.');
    }
    return row;
  }

  private async item(m: EntityManager, patientId: string): Promise<PatientListItem> {
    const [item] = await toListItems(m, this.deps.outbox, [await this.requireRow(m, patientId)]);
    if (!item) {
      throw new DomainError('not_found', 'That patient is not on this computer. Search again.');
    }
    return item;
  }
}

/** What the staff member saw in each changed field: the server judges a conflict field by field. */
function baseOf(row: LocalPatientRow, changes: PatientChanges): PatientChanges {
  const shown: PatientFields = { givenName: row.givenName, familyName: row.familyName, dateOfBirth: row.dateOfBirth, email: row.email, phone: row.phone ?? '', language: row.language };
  return Object.fromEntries(Object.keys(changes).map((k) => [k, shown[k as keyof PatientFields]]));
}

function diff(row: LocalPatientRow, fields: PatientFields): PatientChanges {
  const changes: PatientChanges = {};
  if (row.givenName !== fields.givenName) {
    changes.givenName = fields.givenName;
  }
  if (row.familyName !== fields.familyName) {
    changes.familyName = fields.familyName;
  }
  if (row.dateOfBirth !== fields.dateOfBirth) {
    changes.dateOfBirth = fields.dateOfBirth;
  }
  if (row.email !== fields.email) {
    changes.email = fields.email;
  }
  if ((row.phone ?? '') !== fields.phone) {
    changes.phone = fields.phone;
  }
  if (row.language !== fields.language) {
    changes.language = fields.language;
  }
  return changes;
}
