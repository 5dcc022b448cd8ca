/** kubo: the RPC client and the tunnel manager (see tunnels.ts). */
import type { EngineContext, TunnelManager } from '../services';
import { Tunnels, type TunnelDeps } from './tunnels';

export { KuboClient, KuboError, parsePingStream } from './rpc';
export { Tunnels, strfryProtocol, type TunnelDeps } from './tunnels';

export function createTunnelManager(ctx: EngineContext, deps: Partial<TunnelDeps> = {}): TunnelManager {
  return new Tunnels(ctx, deps);
}
