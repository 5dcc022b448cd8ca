// Placeholder until issue 3 lands: the tunnel manager.
import type { EngineContext, TunnelManager } from '../services';
export function createTunnelManager(_ctx: EngineContext): TunnelManager {
  return {
    endpoint: async () => { throw new Error('tunnels are not built yet (issue 3)'); },
    open: async () => { throw new Error('tunnels are not built yet (issue 3)'); },
    close: async () => undefined,
    closeAll: async () => undefined,
    cleanupLeftovers: async () => undefined,
    list: () => [],
  };
}
