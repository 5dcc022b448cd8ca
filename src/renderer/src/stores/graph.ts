import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { GraphProgress, Reach, Subgraph } from '../../../shared/schemas';
import { getApi } from '../transport';

export const SUBGRAPH_LIMIT = 20_000;

/**
 * The subgraph to draw and the reach figures. Each is out of date when the engine announced a computation newer
 * than the one it came from (graph.changed carries its computedAt, as both do): one flag each, so loading one never
 * marks the other fresh (the Reach screen used to read the Constellation's shared flag and stayed on "no reach
 * computed yet" until a reload).
 */
export const useGraphStore = defineStore('graph', () => {
  // shallowRef: 20,000 nodes must not become 20,000 reactive proxies.
  const subgraph = shallowRef<Subgraph | null>(null);
  const reach = ref<Reach | null>(null);
  const reachLoaded = ref(false);
  const loading = ref(false);
  /** computedAt of the newest computation the engine announced (0: none since the window opened). */
  const latest = ref(0);
  const subgraphStale = computed(() => subgraph.value !== null && latest.value > subgraph.value.computedAt);
  const reachStale = computed(() => reachLoaded.value && latest.value > (reach.value?.computedAt ?? 0));
  /** The engine's computation under way (null when none is known to run). */
  const progress = ref<GraphProgress | null>(null);

  async function loadSubgraph(): Promise<void> {
    loading.value = true;
    try {
      performance.mark('graph:request');
      const s = await getApi()['graph.subgraph']({ depth: 2, limit: SUBGRAPH_LIMIT });
      performance.mark('graph:answer');
      subgraph.value = s;
    } finally {
      loading.value = false;
    }
  }
  async function loadReach(): Promise<void> {
    reach.value = await getApi()['graph.reach']();
    reachLoaded.value = true;
  }
  function onChanged(computedAt: number): void {
    latest.value = Math.max(latest.value, computedAt);
  }
  function onProgress(p: GraphProgress): void {
    progress.value = p.step === 'done' ? null : p;
  }
  return { subgraph, reach, reachLoaded, loading, subgraphStale, reachStale, progress, loadSubgraph, loadReach, onChanged, onProgress };
});
