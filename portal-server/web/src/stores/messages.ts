import { defineStore } from 'pinia';
import type { ThreadSummaryView, ThreadView } from '../../../../shared/domain/message';
import type { NewThreadForm, ReplyForm } from '../../../../shared/validation/requests';
import { api } from '../api/client';
import { createResource } from './resource';

function summaryOf(thread: ThreadView): ThreadSummaryView {
  const { id, subject, status, lastMessageAt, unread, assignedToName } = thread;
  return { id, subject, status, lastMessageAt, unread, assignedToName };
}

/** Conversations with the care team: the thread list and the one thread on screen. */
export const useMessagesStore = defineStore('messages', () => {
  const threads = createResource(() => api.get<ThreadSummaryView[]>('/api/messages'));
  let threadId = '';
  const thread = createResource(() => api.post<ThreadView>(`/api/messages/${encodeURIComponent(threadId)}/read`, {}));

  function putInList(changed: ThreadView): void {
    if (threads.data.value) {
      const rest = threads.data.value.filter((t) => t.id !== changed.id);
      threads.set([summaryOf(changed), ...rest]);
    }
  }

  /**
   * Reading a thread marks the clinic's messages read on the server; the list is asked again
   * afterwards so its unread counts (and the navigation's) say so too.
   */
  async function openThread(id: string): Promise<void> {
    if (id !== threadId) {
      threadId = id;
      thread.reset();
    }
    await thread.load();
    if (thread.data.value?.id === id) {
      await threads.load();
    }
  }

  async function startThread(form: NewThreadForm): Promise<ThreadView> {
    const created = await api.post<ThreadView>('/api/messages', form);
    putInList(created);
    return created;
  }

  async function reply(id: string, form: ReplyForm): Promise<ThreadView> {
    const updated = await api.post<ThreadView>(`/api/messages/${encodeURIComponent(id)}/replies`, form);
    if (threadId === id) {
      thread.set(updated);
    }
    putInList(updated);
    return updated;
  }

  return {
    threads: threads.data,
    threadsState: threads.state,
    threadsError: threads.error,
    threadsAskedAt: threads.askedAt,
    loadThreads: threads.load,
    thread: thread.data,
    threadState: thread.state,
    threadError: thread.error,
    openThread,
    startThread,
    reply,
  };
});
