// Placeholder until issue 3 lands: the station service.
import type { EngineContext, StationService } from '../services';
export function createStationService(_ctx: EngineContext): StationService {
  const no = (): never => { throw new Error('station discovery is not built yet (issue 3)'); };
  return {
    start: async () => undefined,
    stop: async () => undefined,
    snapshot: async () => no(),
    state: async () => no(),
    members: async () => no(),
    stats: async () => no(),
  };
}
