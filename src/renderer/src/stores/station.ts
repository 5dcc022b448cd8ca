import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { StationSnapshot, Tunnel } from '../../../shared/schemas';
import { getApi } from '../transport';

/** The station snapshot (self, peers, members) and the tunnels, kept current by station.changed/tunnel.changed. */
export const useStationStore = defineStore('station', () => {
  const snapshot = ref<StationSnapshot | null>(null);
  /** Tunnels by PeerID. */
  const tunnels = ref<Map<string, Tunnel>>(new Map());

  async function load(): Promise<void> {
    snapshot.value = await getApi()['station.snapshot']();
  }
  async function loadTunnels(): Promise<void> {
    const list = await getApi()['tunnels.list']();
    tunnels.value = new Map(list.map((t) => [t.peerId, t]));
  }
  function setSnapshot(s: StationSnapshot): void {
    snapshot.value = s;
  }
  function setTunnel(t: Tunnel): void {
    const next = new Map(tunnels.value);
    next.set(t.peerId, t);
    tunnels.value = next;
  }
  return { snapshot, tunnels, load, loadTunnels, setSnapshot, setTunnel };
});
