import { computed } from 'vue';
import { useHomeStore } from '../stores/home';
import { useMessagesStore } from '../stores/messages';

/**
 * Unread messages from the clinic. The home summary and the thread list both know the number;
 * whichever was asked for later wins, so opening a thread clears its count at once.
 */
export function useUnreadMessages() {
  const home = useHomeStore();
  const messages = useMessagesStore();
  return computed<number | null>(() => {
    const fromList = messages.threads ? messages.threads.reduce((sum, t) => sum + t.unread, 0) : null;
    const fromHome = home.summary ? home.summary.unreadMessages : null;
    if (fromList !== null && (fromHome === null || messages.threadsAskedAt > home.summaryAskedAt)) {
      return fromList;
    }
    return fromHome;
  });
}
