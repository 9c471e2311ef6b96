import { DomainError } from '../../../../shared/api/errors';
import { FIELD_LEVEL_MUTATIONS } from '../../../../shared/sync/protocol';
import type { ArgsVersion, Mutation, MutationArgs, MutationName } from '../../../../shared/sync/protocol';
import { cancelAppointment, completeAppointment, createAppointment, declineAppointment, proposeAppointment, scheduleAppointment } from '../appointments/staffService';
import type { StaffCall } from '../calls';
import { assignThread, markThreadRead, replyToThread, setThreadStatus, startThread } from '../messages/staffService';
import { preRegisterPatient, revokeInvitation, sendInvitation, updatePatient } from '../patients/service';
import { deleteRecordEntry, recordViewed, saveRecordEntry } from '../record/service';
import { decideRenewal } from '../renewals/service';
import { changeDiscarded } from './discarded';

/**
 * Each intent is applied by its feature's service, which validates the arguments (the same yup
 * schemas as the console's forms), checks the staff member's role and writes in the push's
 * transaction. Arguments arrive untyped from the network: every service validates before use.
 */
const APPLY: { [N in MutationName]: (c: StaffCall, args: MutationArgs[N], argsVersion: ArgsVersion) => Promise<void> } = {
  preRegisterPatient,
  updatePatient,
  sendInvitation,
  revokeInvitation,
  createAppointment,
  scheduleAppointment,
  proposeAppointment,
  declineAppointment,
  cancelAppointment,
  completeAppointment,
  decideRenewal,
  startThread,
  replyToThread,
  assignThread,
  setThreadStatus,
  markThreadRead,
  saveRecordEntry,
  deleteRecordEntry,
  recordViewed,
  changeDiscarded,
};

/** Services get the args version too: field-level edits (version 2) and older entries (1) differ. */
export function applyMutation(c: StaffCall, mu: Mutation): Promise<void> {
  if (mu.argsVersion === 2 && !FIELD_LEVEL_MUTATIONS.includes(mu.name)) {
    return Promise.reject(new DomainError('validation_failed', 'This change comes in a form the server does not know. Update the console.'));
  }
  return (APPLY[mu.name] as (c: StaffCall, args: unknown, argsVersion: ArgsVersion) => Promise<void>)(c, mu.args, mu.argsVersion);
}
