import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { MessageRecord, ThreadStatus } from '../../../shared/domain/message';
import type { ThreadDetail } from '../../../shared/ipc/contract';
import { call } from '../api';
import { createQuery } from './query';

export type InboxFilter = 'open' | 'mine' | 'unassigned' | 'closed';

/** The newest patient message of a thread as shown (null: none); the main process reads no further. */
function newestFromPatient(messages: readonly MessageRecord[]): string | null {
  return messages.filter((m) => m.authorKind === 'patient').at(-1)?.id ?? null;
}

/**
 * The clinic's message inbox and the thread on screen. A thread someone has open is read: new
 * patient messages in it are marked read as they arrive, up to the newest one this window loaded.
 */
export const useMessagesStore = defineStore('messages', () => {
  const inboxFilter = ref<InboxFilter>('open');
  const inbox = createQuery((args: { filter: InboxFilter }) => call('messages.inbox', args));
  const thread = createQuery(async ({ threadId }: { threadId: string }) => {
    const detail = await call('messages.thread', { threadId });
    return detail.thread.row.unreadForStaff > 0 ? call('messages.markRead', { threadId, seenThroughMessageId: newestFromPatient(detail.messages) }) : detail;
  });

  /**
   * What the staff member saw of the thread they act on: left out when it is not the one on screen,
   * so the main process counts what its replica holds.
   */
  function shownOf(threadId: string): { seenThroughMessageId?: string | null } {
    const shown = thread.data.value;
    return shown?.thread.row.id === threadId ? { seenThroughMessageId: newestFromPatient(shown.messages) } : {};
  }

  function remember(detail: ThreadDetail): ThreadDetail {
    thread.update((current) => (current.thread.row.id === detail.thread.row.id ? detail : current));
    inbox.update((rows) => rows.map((row) => (row.row.id === detail.thread.row.id ? detail.thread : row)));
    return detail;
  }

  async function act(action: () => Promise<ThreadDetail>): Promise<ThreadDetail> {
    try {
      return remember(await action());
    } catch (error) {
      thread.refresh();
      inbox.refresh();
      throw error;
    }
  }

  function reply(threadId: string, body: string): Promise<ThreadDetail> {
    return act(() => call('messages.reply', { threadId, body, ...shownOf(threadId) }));
  }

  function assign(threadId: string, staffUserId: string | null): Promise<ThreadDetail> {
    return act(() => call('messages.assign', { threadId, staffUserId }));
  }

  function setStatus(threadId: string, status: ThreadStatus): Promise<ThreadDetail> {
    return act(() => call('messages.setStatus', { threadId, status, ...shownOf(threadId) }));
  }

  /** A new thread to a patient, started by the clinic. */
  function start(patientId: string, subject: string, body: string): Promise<ThreadDetail> {
    return call('messages.start', { patientId, subject, body });
  }


  /** Signing out: nothing read for one person stays for the next. */
  function forget(): void {
    inbox.reset();
    thread.reset();
    inboxFilter.value = 'open';
  }

  return { inboxFilter, inbox, thread, reply, assign, setStatus, start, forget };
});
