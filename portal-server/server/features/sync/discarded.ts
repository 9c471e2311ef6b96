import { mixed, object, string } from 'yup';
import { MUTATION_NAMES } from '../../../../shared/sync/protocol';
import type { MutationArgs } from '../../../../shared/sync/protocol';
import { UUID } from '../../../../shared/validation/requests';
import { validateOrThrow } from '../../../../shared/validation/validate';
import { audit } from '../audit/audit';
import { requireStaffRole } from '../calls';
import type { StaffCall } from '../calls';

const discardedArgs = object({
  authorStaffUserId: string().required().matches(UUID, 'The author is not a staff member id.'),
  intent: mixed<MutationArgs['changeDiscarded']['intent']>().required().oneOf([...MUTATION_NAMES], 'The discarded change is of an unknown kind.'),
  patientId: string().nullable().defined().matches(UUID, { message: 'The patient is not a patient id.', excludeEmptyString: true }),
  madeAt: string().required().max(40),
});

/**
 * An admin discarded, on a console, a held change whose author could no longer push from it (see
 * HeldChange): nothing else changes, but the audit log records who dropped what kind of change,
 * whose it was and about which patient.
 */
export async function changeDiscarded(c: StaffCall, input: MutationArgs['changeDiscarded']): Promise<void> {
  requireStaffRole(c, ['admin'], 'discard a change someone else made');
  const args = validateOrThrow(discardedArgs, input);
  const target = args.patientId ? { type: 'patient', id: args.patientId } : { type: 'staff', id: args.authorStaffUserId };
  await audit(c.m, c.clinic.id, c.actor, 'sync.change_discarded', target, c.ctx.now(), `intent=${args.intent} author=${args.authorStaffUserId} madeAt=${args.madeAt.slice(0, 40)}`);
}
