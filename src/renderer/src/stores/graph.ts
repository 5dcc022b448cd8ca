import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Reach, Subgraph } from '../../../shared/schemas';
import { getApi } from '../transport';

export const SUBGRAPH_LIMIT = 20_000;

/** The subgraph to draw and the reach figures; both marked stale when graph.changed arrives. */
export const useGraphStore = defineStore('graph', () => {
  // shallowRef: 20,000 nodes must not become 20,000 reactive proxies.
  const subgraph = shallowRef<Subgraph | null>(null);
  const reach = ref<Reach | null>(null);
  const reachLoaded = ref(false);
  const loading = ref(false);
  const stale = ref(false);

  async function loadSubgraph(): Promise<void> {
    loading.value = true;
    try {
      subgraph.value = await getApi()['graph.subgraph']({ depth: 2, limit: SUBGRAPH_LIMIT });
      stale.value = false;
    } finally {
      loading.value = false;
    }
  }
  async function loadReach(): Promise<void> {
    reach.value = await getApi()['graph.reach']();
    reachLoaded.value = true;
  }
  function onChanged(): void {
    stale.value = true;
  }
  return { subgraph, reach, reachLoaded, loading, stale, loadSubgraph, loadReach, onChanged };
});
