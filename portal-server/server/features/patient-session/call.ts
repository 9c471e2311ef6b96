import { DomainError } from '../../../../shared/api/errors';
import { ClinicEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { ClinicRow, PatientRow } from '../../../../shared/node/entities/server';
import type { ServerContext } from '../../context';
import { afterCommit } from '../../context';
import type { PatientCall } from '../calls';
import { requireClinic } from '../clinic/service';
import type { PatientPrincipal } from './service';

/**
 * Runs a patient use case for the signed-in patient. The patient comes from the session, never
 * from an id the browser sends. Writes run in one transaction and poke consoles after commit.
 */
export async function asPatient<T>(ctx: ServerContext, p: PatientPrincipal, ip: string | null, mode: 'read' | 'write', fn: (c: PatientCall) => Promise<T>): Promise<T> {
  const run = async (m: PatientCall['m']): Promise<T> => {
    // The patient and the clinic (the database's first, as requireClinic finds it) in one statement.
    const q = (name: string) => m.connection.driver.escape(name);
    const found = await m
      .createQueryBuilder(PatientEntity, 'p')
      .innerJoinAndMapOne('p.clinic', ClinicEntity.options.name, 'c', `c.id = p.clinicId AND c.id = (SELECT ${q('id')} FROM ${q('clinic')} ORDER BY ${q('createdAt')} ASC LIMIT 1)`)
      .where('p.id = :id', { id: p.account.patientId })
      .getOne();
    if (!found) {
      // A portal not set up yet says so; otherwise the patient is gone.
      await requireClinic(m);
    }
    const { clinic, ...patient } = (found ?? {}) as Partial<PatientRow> & { clinic?: ClinicRow };
    if (!clinic || patient.deletedAt) {
      throw new DomainError('not_signed_in', 'Please sign in to continue.');
    }
    return fn({ ctx, m, clinic, patient: patient as PatientRow, accountId: p.account.id, actor: { kind: 'patient', id: p.account.id, ip } });
  };
  if (mode === 'read') {
    return ctx.db.read(run);
  }
  const result = await ctx.db.write(run);
  afterCommit(ctx);
  return result;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id from the URL: anything that is not a well-formed id simply is not found. */
export function idParam(value: unknown, what: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new DomainError('not_found', `We could not find that ${what}.`);
  }
  return value;
}
