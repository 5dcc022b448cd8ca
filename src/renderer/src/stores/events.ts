/**
 * The one place the window subscribes to the engine's events; each feeds its store. Called once at start-up.
 */
import { getApi } from '../transport';
import { useAppStore } from './app';
import { useGraphStore } from './graph';
import { useHistoryStore } from './history';
import { useStationStore } from './station';
import { useSyncStore } from './sync';

export function bindEvents(): () => void {
  const api = getApi();
  const app = useAppStore();
  const station = useStationStore();
  const sync = useSyncStore();
  const history = useHistoryStore();
  const graph = useGraphStore();
  const offs = [
    api.on('app.log', (l) => sync.onLog(l)),
    api.on('settings.changed', (s) => {
      app.settings = s;
    }),
    api.on('station.changed', (s) => station.setSnapshot(s)),
    api.on('tunnel.changed', (t) => station.setTunnel(t)),
    api.on('sync.progress', (p) => sync.onProgress(p)),
    api.on('sync.finished', (r) => {
      sync.onFinished(r);
      history.onFinished(r);
    }),
    api.on('graph.changed', (c) => graph.onChanged(c.computedAt)),
    api.on('graph.progress', (p) => graph.onProgress(p)),
    api.on('schedule.changed', (s) => sync.onSchedule(s)),
  ];
  return () => offs.forEach((off) => off());
}
