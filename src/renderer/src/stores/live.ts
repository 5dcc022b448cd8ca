import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { LiveStatus } from '../../../shared/schemas';
import { getApi } from '../transport';
import { liveSummary, livePeerMap } from '../lib/live';

/**
 * Live sync's status, kept current by `live.changed`. `now` ticks once a second only while a peer waits to
 * reconnect (its "reconnecting in N s" counts down); otherwise nothing runs.
 */
export const useLiveStore = defineStore('live', () => {
  const status = ref<LiveStatus | null>(null);
  const now = ref(Date.now());
  let ticker: ReturnType<typeof setInterval> | null = null;

  const summary = computed(() => liveSummary(status.value));
  const byPeer = computed(() => livePeerMap(status.value));

  function tickWhileWaiting(): void {
    const waiting = status.value?.peers.some((p) => p.state === 'reconnecting') ?? false;
    now.value = Date.now();
    if (waiting && !ticker) ticker = setInterval(() => (now.value = Date.now()), 1000);
    else if (!waiting && ticker) {
      clearInterval(ticker);
      ticker = null;
    }
  }
  async function load(): Promise<void> {
    status.value = await getApi()['live.status']();
    tickWhileWaiting();
  }
  function onChanged(s: LiveStatus): void {
    status.value = s;
    tickWhileWaiting();
  }
  return { status, now, summary, byPeer, load, onChanged };
});
