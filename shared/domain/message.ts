export const THREAD_STATUSES = ['open', 'closed'] as const;
export type ThreadStatus = (typeof THREAD_STATUSES)[number];

/** Plain text only; longer bodies are refused with a clear message. */
export const MESSAGE_MAX_LENGTH = 4000;
export const SUBJECT_MAX_LENGTH = 120;

export interface ThreadRecord {
  id: string;
  patientId: string;
  subject: string;
  /** The physician or staff member it is routed to; null = the care team's inbox. */
  assignedStaffId: string | null;
  status: ThreadStatus;
  lastMessageAt: string;
  /** Patient messages the clinic has not read yet. */
  unreadForStaff: number;
  /** Clinic messages the patient has not read yet. */
  unreadForPatient: number;
  createdAt: string;
  version: number;
  updatedAt: string;
}

export interface MessageRecord {
  id: string;
  threadId: string;
  patientId: string;
  authorKind: 'patient' | 'staff';
  authorStaffId: string | null;
  /** Shown as written at the time ("Dr. Sam Patel", or the patient's name). */
  authorName: string;
  body: string;
  sentAt: string;
  /** When the other side read it. */
  readAt: string | null;
  version: number;
  updatedAt: string;
}

export interface ThreadSummaryView {
  id: string;
  subject: string;
  status: ThreadStatus;
  lastMessageAt: string;
  unread: number;
  assignedToName: string | null;
}

export interface MessageView {
  id: string;
  mine: boolean;
  authorName: string;
  body: string;
  sentAt: string;
  readAt: string | null;
}

export interface ThreadView extends ThreadSummaryView {
  messages: MessageView[];
}
