/**
 * The station service: reads the station root (src/core/station/*.ts), keeps the last reading, watches the
 * folder and emits `station.changed` with the new snapshot when what it shows changed.
 */
import type { MemberList, StationSnapshot } from '../../shared/schemas';
import { reason, reasonOf } from '../../shared/i18n';
import { KuboClient } from '../kubo/rpc';
import type { EngineContext, StationService, StationState } from '../services';
import { ipfsConfigPath } from './self';
import { readStation } from './snapshot';
import { storeStats } from './stats';
import { StationWatcher } from './watch';

/** A reading is reused at most this long even without a change (freshness ages with the clock). */
const MAX_AGE_MS = 60_000;

/** What changed for a captain: the snapshot without the reading time and the ages that tick by. */
function fingerprint(s: StationSnapshot): string {
  return JSON.stringify({ ...s, takenAt: 0, peers: s.peers.map((p) => ({ ...p, ageSeconds: null })) });
}

export function createStationService(ctx: EngineContext): StationService {
  let current: { state: StationState; at: number } | null = null;
  let reading: Promise<StationState> | null = null;
  let dirty = true;
  let watcher: StationWatcher | null = null;
  // The node's PeerID does not change while it runs: once kubo told it, do not ask on every reading.
  let kuboId: { api: string; id: string } | null = null;

  const kuboIdLookup = async (): Promise<string> => {
    const s = ctx.settings();
    if (kuboId?.api === s.kuboApi) return kuboId.id;
    const timeout = Math.min(ctx.config.timeouts.kuboRpc, ctx.config.timeouts.serviceCheck);
    const { ID } = await new KuboClient(s.kuboApi, s.kuboAuth, timeout).id();
    kuboId = { api: s.kuboApi, id: ID };
    return ID;
  };

  const read = async (): Promise<StationState> => {
    const s = ctx.settings();
    dirty = false;
    const state = await readStation(s.zenRoot, {
      staleHours: s.staleHours,
      directRelays: s.directRelays,
      resolve: ctx.config.resolve,
      now: ctx.config.clock(),
      kuboId: kuboIdLookup,
      ipfsConfig: ipfsConfigPath(s.zenRoot),
    });
    const before = current;
    current = { state, at: ctx.config.clock() };
    watcher?.setBeacon(state.snapshot.self.source === 'beacon' ? state.snapshot.self.peerId : null);
    if (before && fingerprint(before.state.snapshot) !== fingerprint(state.snapshot)) {
      ctx.events.emit('station.changed', state.snapshot);
    }
    return state;
  };

  const state = async (): Promise<StationState> => {
    const fresh = current && !dirty && watcher && ctx.config.clock() - current.at < MAX_AGE_MS;
    if (fresh && current) return current.state;
    // One reading at a time; callers arriving meanwhile share it.
    reading ??= read().finally(() => {
      reading = null;
    });
    return reading;
  };

  return {
    async start() {
      const s = ctx.settings();
      watcher = new StationWatcher(
        s.zenRoot,
        () => {
          dirty = true;
          state().catch((err: unknown) => ctx.log.warn(reason('station.rereadFailed', { root: s.zenRoot, why: reasonOf(err) })));
        },
        { debounceMs: 500, pollMs: 2000, onProblem: (why) => ctx.log.warn(reason('at', { who: s.zenRoot, why })) },
      );
      await watcher.start();
      dirty = true;
      await state();
    },
    async stop() {
      watcher?.stop();
      watcher = null;
      current = null;
      kuboId = null;
    },
    snapshot: async () => (await state()).snapshot,
    state,
    async members(): Promise<MemberList> {
      const st = await state();
      const members = [...st.members].map(([hex, sources]) => ({ hex, sources: [...sources] }));
      members.sort((a, b) => (a.hex < b.hex ? -1 : 1));
      return { members, bySource: st.snapshot.members.bySource };
    },
    async stats() {
      const st = await state();
      return storeStats(ctx.settings().zenRoot, () => ctx.store(), st.snapshot.members.bySource, st.snapshot.members.count);
    },
  };
}
