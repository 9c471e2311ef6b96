import type { ApiErrorBody } from '../api/errors';
import type { AppointmentRecord } from '../domain/appointment';
import type { PatientLanguage } from '../domain/language';
import type { MessageRecord, ThreadRecord, ThreadStatus } from '../domain/message';
import type { InvitationRecord, PatientRecord } from '../domain/patient';
import type { RecordEntry, RecordFields, RecordKind } from '../domain/record';
import type { RenewalRecord } from '../domain/renewal';
import type { StaffDirectoryEntry } from '../domain/staff';

/** Bumped when push/pull shapes change; an older console gets 426 and a message. 3: field-level edits (argsVersion 2). */
/**
 * 4: the server answers `seq_reused` when a retried seq carries other arguments than the intent it
 * applied under that seq (a console of version 3 would have taken that for "duplicate" and lost the change).
 */
export const SYNC_PROTOCOL_VERSION = 4;
export const SYNC_PROTOCOL_HEADER = 'x-sync-protocol';

/** `epoch` names the server database; a new epoch means "resync from scratch". */
export interface SyncCursor {
  epoch: string;
  seq: number;
  /**
   * Fingerprint of the change-log entry at `seq`, set by the server. A server restored from an
   * older backup keeps its epoch; a different entry (or none) at `seq` tells it the cursor is not its own.
   */
  check?: string;
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
    /**
     * The patient's preferred language (issue 15); null: not chosen. Absent in entries queued by a
     * console from before it: the server takes that as null.
     */
    language?: PatientLanguage | null;
    /** When set, an invitation with this id is created and mailed on arrival. */
    invitationId: string | null;
  };
  /** argsVersion 2: only the changed fields, each with the value it was based on in `base` (absent in argsVersion 1). */
  updatePatient: {
    patientId: string;
    baseVersion: number;
    changes: Partial<PatientDetails>;
    base?: Partial<PatientDetails>;
  };
  /** Send or resend: a new Registration ID; any earlier live invitation of the patient stops working. */
  sendInvitation: { patientId: string; invitationId: string };
  revokeInvitation: { invitationId: string };

  /** The desk books a visit directly (no patient request). */
  createAppointment: { appointmentId: string; patientId: string; physicianId: string; start: string; durationMinutes: number; reason: string };
  /** Books a requested (or proposed) appointment; a slot the physician already has is refused. */
  scheduleAppointment: { appointmentId: string; physicianId: string; start: string; durationMinutes: number; baseVersion: number };
  /** Offers the patient another time; they accept or decline it in the portal. */
  proposeAppointment: { appointmentId: string; physicianId: string; start: string; durationMinutes: number; note: string; baseVersion: number };
  declineAppointment: { appointmentId: string; reason: string; baseVersion: number };
  cancelAppointment: { appointmentId: string; reason: string; baseVersion: number };
  completeAppointment: { appointmentId: string; baseVersion: number };

  /** Physicians only. Approving adds `refillsGranted` (or 1) to the medication's refills. */
  decideRenewal: { renewalId: string; decision: 'approved' | 'denied'; note: string; refillsGranted: number | null; baseVersion: number };

  startThread: { threadId: string; messageId: string; patientId: string; subject: string; body: string };
  /** Also marks the patient's messages read, up to `seenThroughMessageId` (see SeenThrough). */
  replyToThread: { threadId: string; messageId: string; body: string; seenThroughMessageId?: SeenThrough };
  /** Routing neither reads nor closes: the assignee still sees what is unread, so it says nothing of what was seen. */
  assignThread: { threadId: string; staffUserId: string | null };
  /** Closing over a patient message newer than `seenThroughMessageId` that nobody at the clinic has read is refused. */
  setThreadStatus: { threadId: string; status: ThreadStatus; seenThroughMessageId?: SeenThrough };
  /** Marks the patient's messages in the thread read by the clinic, up to `seenThroughMessageId`. */
  markThreadRead: { threadId: string; seenThroughMessageId?: SeenThrough };

  /**
   * Physicians only. baseVersion 0 creates the entry from all `fields`. argsVersion 2 updates send
   * only the changed fields, with the values they were based on in `base`; argsVersion 1 sent
   * every field and no `base`.
   */
  saveRecordEntry: {
    [K in RecordKind]: { kind: K; entryId: string; patientId: string; fields: Partial<RecordFields[K]>; base?: Partial<RecordFields[K]>; baseVersion: number };
  }[RecordKind];
  deleteRecordEntry: { kind: RecordKind; entryId: string; baseVersion: number };
  /** Audit of a staff member opening a patient's record on the console (read locally, so reported). */
  recordViewed: { patientId: string; viewedAt: string };
  /**
   * Audit of an admin discarding a held change (see HeldChange in shared/ipc/contract.ts): whose it
   * was, what kind of intent, about which patient. Changes nothing else.
   */
  changeDiscarded: { authorStaffUserId: string; intent: MutationName; patientId: string | null; madeAt: string };
}
export type MutationName = keyof MutationArgs;

/**
 * What the desk had seen of a thread when it acted: the id of the newest patient message in its
 * replica (null: none yet). The server reads "up to it" as every patient message sent no later, in
 * (sentAt, id) order, the order both sides list a thread in. It names a patient message rather than
 * the last message of any kind because the server dates the desk's own replies when they arrive, which
 * may be after a patient message the desk never saw. Absent (a console queued before this field
 * existed): the server keeps the old behaviour, every patient message counts as seen.
 */
export type SeenThrough = string | null;

/** The patient details the desk edits. */
export interface PatientDetails {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  email: string;
  phone: string;
  /** null: not chosen (the patient's browser decides). */
  language: PatientLanguage | null;
}

/**
 * Mutations whose args are at version 2 (field-level edits: changed fields plus their base
 * values). The server still accepts version 1 of these, with the old row-level check, since an
 * upgraded console may hold old entries in its outbox; every other mutation is at version 1.
 */
export const FIELD_LEVEL_MUTATIONS: readonly MutationName[] = ['updatePatient', 'saveRecordEntry'];
export type ArgsVersion = 1 | 2;
export const argsVersionOf = (name: MutationName): ArgsVersion => (FIELD_LEVEL_MUTATIONS.includes(name) ? 2 : 1);
/** Intents only a physician may make (and so only a physician may send again for someone else). */
export const PHYSICIAN_MUTATIONS: readonly MutationName[] = ['decideRenewal', 'saveRecordEntry', 'deleteRecordEntry'];
export const MUTATION_NAMES: readonly MutationName[] = [
  'preRegisterPatient',
  'updatePatient',
  'sendInvitation',
  'revokeInvitation',
  'createAppointment',
  'scheduleAppointment',
  'proposeAppointment',
  'declineAppointment',
  'cancelAppointment',
  'completeAppointment',
  'decideRenewal',
  'startThread',
  'replyToThread',
  'assignThread',
  'setThreadStatus',
  'markThreadRead',
  'saveRecordEntry',
  'deleteRecordEntry',
  'recordViewed',
  'changeDiscarded',
];

export interface Mutation<N extends MutationName = MutationName> {
  /** Contiguous per client, starting at 1. */
  seq: number;
  name: N;
  /** 2 for FIELD_LEVEL_MUTATIONS made by a current console, else 1. */
  argsVersion: ArgsVersion;
  args: MutationArgs[N];
  /** ISO instant on the console's clock; informational only. */
  createdAt: string;
  /**
   * The seq this console sent before this one, when not `seq - 1`: seqs in between are settled on
   * the console for good and will never be sent (a server restored from a backup lost them and
   * the console no longer keeps them). The server records the skipped range instead of waiting.
   */
  prevSeq?: number;
  /** Staff member who made the change on the console. */
  staffUserId: string;
  /**
   * The change was made by this staff member, who can no longer push from that console, and is
   * sent by the signed-in one in their own name: the server audits it as entered for the author.
   */
  enteredFor?: string;
  /**
   * Only confirm, never apply: the entry was sent before by an author who can no longer push from
   * that console, so it may or may not have been applied. Applied earlier under this seq (same
   * intent) → 'duplicate'; otherwise the seq is passed, nothing is applied, and the outcome is a
   * refusal with code 'not_applied' — the console then holds the change for someone to send again.
   */
  confirmOnly?: boolean;
}

export interface PushRequest {
  clientId: string;
  mutations: Mutation[];
}

/**
 * POST /api/sync/client (answered 204): binds the caller's device token to the client id its
 * console now pushes under. A console that took a new id (after `seq_reused`) sends it for each of
 * its tokens before pushing under that id; a token bound to another console is refused (403).
 */
export interface ClaimClientRequest {
  clientId: string;
}

/**
 * - `applied`: applied now. `duplicate`: this very intent (same name, args version and arguments)
 *   was applied earlier under this seq — a retry whose first answer was lost.
 * - `rejected`: refused now or earlier (error says why); it never blocks the seqs after it.
 * - `seq_reused`: the server already holds another intent under this client id and seq: this replica
 *   was restored from an old copy, or shares its id with a cloned one. Nothing was applied; the
 *   console must take a new client id and send its waiting changes again (see DESIGN §5).
 */
export type MutationOutcomeStatus = 'applied' | 'rejected' | 'duplicate' | 'seq_reused';

export interface MutationOutcome {
  seq: number;
  status: MutationOutcomeStatus;
  error?: ApiErrorBody;
}

export interface PushResponse {
  /** The highest seq the server has recorded for this client. */
  lastSeq: number;
  outcomes: MutationOutcome[];
  /**
   * The server's clock (ISO instant). The console prunes what it keeps for resending after a
   * server restore by the earlier of its own clock and this one, so a desk clock that jumps ahead
   * cannot empty that buffer.
   */
  serverTime?: string;
}

/** Every table the server sends to consoles, with its row shape. */
export interface SyncedRows {
  patient: PatientRecord;
  invitation: InvitationRecord;
  staff: StaffDirectoryEntry;
  appointment: AppointmentRecord;
  renewal: RenewalRecord;
  thread: ThreadRecord;
  message: MessageRecord;
  problem: RecordEntry<'problem'>;
  medication: RecordEntry<'medication'>;
  allergy: RecordEntry<'allergy'>;
  immunization: RecordEntry<'immunization'>;
  labResult: RecordEntry<'labResult'>;
  visitSummary: RecordEntry<'visitSummary'>;
}
export type SyncedTable = keyof SyncedRows;
export const SYNCED_TABLES: readonly SyncedTable[] = [
  'patient',
  'invitation',
  'staff',
  'appointment',
  'renewal',
  'thread',
  'message',
  'problem',
  'medication',
  'allergy',
  'immunization',
  'labResult',
  'visitSummary',
];

export type ChangeRecord =
  | { [T in SyncedTable]: { table: T; seq: number; op: 'upsert'; row: SyncedRows[T] } }[SyncedTable]
  | { table: SyncedTable; seq: number; op: 'delete'; id: string };

/** GET /api/sync/server-info: what a desk checks before it joins (no sign-in, no health data). */
export interface ServerInfo {
  /** null while the server has no clinic set up yet. */
  clinicId: string | null;
  clinicName: string | null;
  protocolVersion: number;
}

export interface PullResponse {
  changes: ChangeRecord[];
  cursor: SyncCursor;
  /** True when more pages wait after this one. */
  more: boolean;
  /** True when the client's cursor named another epoch: it must drop its replica and start again. */
  reset: boolean;
  /** The change log's head when the page was read: how far behind the client is (catch-up progress). */
  head: number;
}

/** SSE payload: the change log's head, and the changes since the previous poke when they are few. */
export interface SyncPoke {
  epoch: string;
  head: number;
  /**
   * The changes after seq `from` up to `cursor`, as a pull would return them: a console whose
   * cursor is at `from` applies them without pulling; any other console pulls as usual.
   */
  page?: {
    from: number;
    /** SyncCursor.check of the entry at `from`: a replica whose cursor has another one pulls instead. */
    fromCheck?: string;
    changes: ChangeRecord[];
    cursor: SyncCursor;
  };
}
