import type { InvitationRecord, PatientRecord } from '../domain/patient';
import type { ApiErrorBody } from '../api/errors';

/** Bumped when push/pull shapes change; an older console gets 426 and a message. */
export const SYNC_PROTOCOL_VERSION = 1;
export const SYNC_PROTOCOL_HEADER = 'x-sync-protocol';

/** `epoch` names the server database; a new epoch means "resync from scratch". */
export interface SyncCursor {
  epoch: string;
  seq: number;
}

/** Mutations are intents, applied by the server's own services with their checks. */
export interface MutationArgs {
  preRegisterPatient: {
    patientId: string;
    givenName: string;
    familyName: string;
    /** YYYY-MM-DD */
    dateOfBirth: string;
    email: string;
    phone: string;
    /** When set, an invitation with this id is created and mailed on arrival. */
    invitationId: string | null;
  };
  updatePatient: {
    patientId: string;
    baseVersion: number;
    changes: Partial<{ givenName: string; familyName: string; dateOfBirth: string; email: string; phone: string }>;
  };
  /** Send or resend: a new Registration ID; any earlier live invitation of the patient stops working. */
  sendInvitation: { patientId: string; invitationId: string };
  revokeInvitation: { invitationId: string };
}
export type MutationName = keyof MutationArgs;
export const MUTATION_NAMES: readonly MutationName[] = ['preRegisterPatient', 'updatePatient', 'sendInvitation', 'revokeInvitation'];

export interface Mutation<N extends MutationName = MutationName> {
  /** Contiguous per client, starting at 1. */
  seq: number;
  name: N;
  argsVersion: 1;
  args: MutationArgs[N];
  /** ISO instant on the console's clock; informational only. */
  createdAt: string;
  /** Staff member who made the change on the console. */
  staffUserId: string;
}

export interface PushRequest {
  clientId: string;
  mutations: Mutation[];
}

export interface MutationOutcome {
  seq: number;
  status: 'applied' | 'rejected' | 'duplicate';
  error?: ApiErrorBody;
}

export interface PushResponse {
  /** The highest seq the server has recorded for this client. */
  lastSeq: number;
  outcomes: MutationOutcome[];
}

export type SyncedTable = 'patient' | 'invitation';

export type ChangeRecord =
  | { table: 'patient'; seq: number; op: 'upsert'; row: PatientRecord }
  | { table: 'invitation'; seq: number; op: 'upsert'; row: InvitationRecord }
  | { table: SyncedTable; seq: number; op: 'delete'; id: string };

export interface PullResponse {
  changes: ChangeRecord[];
  cursor: SyncCursor;
  /** True when more pages wait after this one. */
  more: boolean;
  /** True when the client's cursor named another epoch: it must drop its replica and start again. */
  reset: boolean;
}

/** SSE payload: the change log's head. */
export interface SyncPoke {
  epoch: string;
  head: number;
}
