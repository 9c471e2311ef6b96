import type { Mutation, MutationArgs, MutationName } from '../../../../shared/sync/protocol';
import { cancelAppointment, completeAppointment, createAppointment, declineAppointment, proposeAppointment, scheduleAppointment } from '../appointments/staffService';
import type { StaffCall } from '../calls';
import { assignThread, markThreadRead, replyToThread, setThreadStatus, startThread } from '../messages/staffService';
import { preRegisterPatient, revokeInvitation, sendInvitation, updatePatient } from '../patients/service';
import { deleteRecordEntry, recordViewed, saveRecordEntry } from '../record/service';
import { decideRenewal } from '../renewals/service';

/**
 * Each intent is applied by its feature's service, which validates the arguments (the same yup
 * schemas as the console's forms), checks the staff member's role and writes in the push's
 * transaction. Arguments arrive untyped from the network: every service validates before use.
 */
const APPLY: { [N in MutationName]: (c: StaffCall, args: MutationArgs[N]) => Promise<void> } = {
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
};

export function applyMutation(c: StaffCall, mu: Mutation): Promise<void> {
  return (APPLY[mu.name] as (c: StaffCall, args: unknown) => Promise<void>)(c, mu.args);
}
