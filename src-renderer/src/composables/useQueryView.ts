import { onUnmounted, watch } from 'vue';

interface FollowedQuery<A> {
  load(args: A): Promise<void>;
  follow(): () => void;
}

/**
 * Shows a store query for as long as the screen is mounted, with arguments that may change (a
 * filter, a date): it loads on each change and follows the replica's changes until unmounted.
 * `null` arguments mean "not yet" (nothing to load).
 */
export function useQueryView<A>(query: FollowedQuery<A>, args: () => A | null): void {
  const stop = query.follow();
  watch(
    () => JSON.stringify(args()),
    () => {
      const next = args();
      if (next !== null) {
        void query.load(next);
      }
    },
    { immediate: true },
  );
  onUnmounted(stop);
}
